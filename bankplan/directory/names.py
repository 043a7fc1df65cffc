"""Directory names as the directory compares them."""

import ldap.dn


def normal_dn(dn: str) -> str:
    """``dn`` lower-cased and without the spaces around its separators, the form in
    which django-auth-ldap hands over the groups a user is in. A name that does not
    parse as a DN is only trimmed and lower-cased."""
    try:
        return ldap.dn.dn2str(ldap.dn.str2dn(dn.strip())).lower()
    except ldap.DECODING_ERROR:
        return dn.strip().lower()
