"""The families reading links between a plan's rows (traceability, targeting, coverage),
each rule passing and failing on a few rows of the ``plan`` fixture."""

from bankplan.plancheck.engine import Severity, check_plan


def found(plan, code, language="en"):
    return [finding for finding in check_plan(plan, language=language) if finding.code == code]


def where(findings):
    return [(f.severity, f.section, f.anchor, f.row) for f in findings]


# TRC-001: every SWOT strategy is carried out somewhere


def test_strategies_each_carried_out_by_an_action_pass(plan, grid, rows):
    by_product = grid.strategy("SO", "借政策抢园区新客")
    by_activity = grid.strategy("ST", "驻点服务稳代发")
    by_task_force = grid.strategy("WO", "借新院区补负债短板")
    by_training = grid.strategy("WT", "压降高息存款")
    rows.product("园区快贷", strategies=[by_product])
    rows.activity("代发驻点", strategies=[by_activity])
    rows.task_force(account="县人民医院", strategies=[by_task_force])
    rows.training("资产配置", strategies=[by_training])
    assert found(plan, "TRC-001") == []


def test_a_strategy_nothing_carries_out_warns_at_its_row(plan, grid, rows):
    carried = grid.strategy("SO", "借政策抢园区新客")
    idle = grid.strategy("WT", "压降高息存款，不以高息揽储")
    rows.product("园区快贷", strategies=[carried])
    rows.training("合规销售")  # a training carrying out no strategy
    (finding,) = found(plan, "TRC-001")
    assert where([finding]) == [(Severity.WARNS, "swot", "strategies", str(idle.pk))]
    assert "压降高息存款" in finding.message and "training" in finding.message
    assert "压降高息存款" in found(plan, "TRC-001", language="zh-hans")[0].message


# TGT-001: every pursued segment has a product and a channel serving it


def test_a_pursued_segment_with_a_product_and_a_channel_passes(plan, rows):
    farmers = rows.segment("farmer", "种养大户")
    rows.segment("mass", chosen=False)  # not pursued: nothing need serve it
    rows.product("新农主体贷", segment=farmers)
    rows.channel("outreach", segments=[farmers])
    assert found(plan, "TGT-001") == []


def test_a_pursued_segment_nothing_serves_warns_once_for_each_missing_side(plan, rows):
    farmers = rows.segment("farmer", "种养大户")
    affluent = rows.segment("affluent", "拆迁安置户")
    rows.product("新农主体贷", segment=farmers)
    rows.channel("mobile", segments=[farmers])
    rows.channel("outlet")  # serving no segment
    findings = found(plan, "TGT-001")
    assert where(findings) == [(Severity.WARNS, "target_market", "segments", str(affluent.pk))] * 2
    no_product, no_channel = (f.message for f in findings)
    assert "No product" in no_product and "拆迁安置户" in no_product
    assert "No channel" in no_channel and "拆迁安置户" in no_channel


# TGT-002: every product targets a pursued segment


def test_products_aimed_at_pursued_segments_pass(plan, rows):
    farmers = rows.segment("farmer", "种养大户")
    rows.product("新农主体贷", segment=farmers)
    assert found(plan, "TGT-002") == []


def test_a_product_without_a_segment_or_aimed_at_one_not_pursued_warns(plan, rows):
    mass = rows.segment("mass", "普通储户", chosen=False)
    rows.segment("farmer", "种养大户")
    unaimed = rows.product("手机银行签约")
    astray = rows.product("大额存单", segment=mass)
    findings = found(plan, "TGT-002")
    assert where(findings) == [
        (Severity.WARNS, "products", "lines", str(unaimed.pk)),
        (Severity.WARNS, "products", "lines", str(astray.pk)),
    ]
    assert "手机银行签约" in findings[0].message and "no segment" in findings[0].message
    assert "普通储户" in findings[1].message and "does not pursue" in findings[1].message


# TGT-003: every key account belongs to a pursued segment


def test_key_accounts_in_pursued_segments_pass(plan, rows):
    payroll = rows.segment("payroll", "代发单位员工")
    rows.key_account("县人民医院", segment=payroll)
    assert found(plan, "TGT-003") == []


def test_a_key_account_outside_the_pursued_segments_warns(plan, rows):
    traders = rows.segment("sole_trader", "商业街个体户", chosen=False)
    homeless = rows.key_account("县纺织集团")
    outside = rows.key_account("鸿运物流园", segment=traders)
    findings = found(plan, "TGT-003")
    assert where(findings) == [
        (Severity.WARNS, "target_market", "key_accounts", str(homeless.pk)),
        (Severity.WARNS, "target_market", "key_accounts", str(outside.pk)),
    ]
    assert "县纺织集团" in findings[0].message
    assert "商业街个体户" in findings[1].message


# CAP-002: the task force covers the key accounts


def test_key_accounts_each_with_a_task_force_target_pass(plan, rows):
    hospital = rows.key_account("县人民医院")
    rows.key_account("县纺织集团")
    rows.task_force(key_account=hospital)
    rows.task_force(account="县纺织集团")  # named in text, as before the link existed
    assert found(plan, "CAP-002") == []


def test_a_key_account_the_task_force_leaves_out_warns_at_its_row(plan, rows):
    hospital = rows.key_account("县人民医院")
    left_out = rows.key_account("县纺织集团")
    rows.task_force(key_account=hospital)
    rows.task_force(account="开发区新入园企业")
    (finding,) = found(plan, "CAP-002")
    assert where([finding]) == [(Severity.WARNS, "target_market", "key_accounts", str(left_out.pk))]
    assert "县纺织集团" in finding.message and "task force" in finding.message


# TRN-001: training covers the products promoted this year


def test_products_each_covered_by_a_training_pass(plan, rows):
    loan = rows.product("园区快贷")
    card = rows.product("代发信用卡")
    rows.training("小微财务报表识别", products=[loan])
    rows.training("信用卡合规销售", products=[card, loan])
    assert found(plan, "TRN-001") == []


def test_a_product_no_training_covers_warns_at_its_row(plan, rows):
    loan = rows.product("园区快贷")
    uncovered = rows.product("稳健理财与代理保险")
    rows.training("小微财务报表识别", products=[loan])
    (finding,) = found(plan, "TRN-001")
    assert where([finding]) == [(Severity.WARNS, "products", "lines", str(uncovered.pk))]
    assert "稳健理财与代理保险" in finding.message
