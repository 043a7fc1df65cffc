"""The read-only REST API: cycles and their KPI catalogue, plans, a version's content and
PDF, and head office's roll-ups, each user seeing what the pages show them.

Getting a token. Head office issues one per user, either in the admin (API tokens → Add:
the token is shown once, in the message after saving) or on the server::

    python manage.py api_token wang.fang --days 90 --name "BI nightly report"

which prints the token alone on stdout (``bp_`` and 43 characters). Only its SHA-256
digest is stored: a lost token is revoked in the admin (the list's action) and a new one
issued. A token stops working when it expires (API_TOKEN_DAYS, 90 days by default), when
it is revoked, and when its user is deactivated (as the directory sign-in does for people
who left). Repeated failures from one address are refused with 429 for the log-in
cool-off.

Calling the API: the token goes in the Authorization header as a bearer token::

    TOKEN=$(python manage.py api_token wang.fang)
    curl -H "Authorization: Bearer $TOKEN" https://bankplan.example/api/plans/?year=2027
    curl -H "Authorization: Bearer $TOKEN" "https://bankplan.example/api/plans/?region=R01&state=approved"
    curl -H "Authorization: Bearer $TOKEN" https://bankplan.example/api/plans/42/versions/2/
    curl -H "Authorization: Bearer $TOKEN" -o plan.pdf \\
        https://bankplan.example/api/plans/42/versions/2/pdf/approved/
    curl -H "Authorization: Bearer $TOKEN" https://bankplan.example/api/cycles/1/units/3/rollup/

Lists are paginated by cursor: follow ``next`` until it is null (``page_size`` up to
500). A branch manager's token reads the branch's plans, a regional reviewer's the
region's, head office's all of them; anything else answers 404, as on the pages. A PDF
not rendered yet answers 409 with its state. The OpenAPI 3 schema is at ``/api/schema/``
(for a token or a signed-in user), and ``/api/docs/`` shows it in Swagger UI to a
signed-in user.
"""
