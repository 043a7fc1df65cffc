"""(being written)"""


def dashboard(request):
    raise NotImplementedError


unit = branches = export_table = dashboard
