"""Streamlit app: a router over the pages in app_pages/. Run with `make run`.

Every page has its own address (/check, /review, /sources, /export); "/" opens /check. The pages
are listed in the sidebar as plain text links (no icon fonts or emoji needed).

Sign-in (issue 17): with the `sign_in` setting on, every visitor signs in first with a user of
`factcheck users` (streamlit-authenticator checks the bcrypt hash and keeps a signed cookie, so a
reload stays signed in); the role then decides what the pages let them do. With it off (the
default, so `make run` opens straight into the demo), the workbench is for one person on this
computer: a visitor from another address is turned away."""

import streamlit as st

from app_pages.common import LOCAL_ADDRESSES, get_db, md_text
from claims.accounts import credentials, get_user, secret, sign_in_required

st.set_page_config(page_title="Fact-check workbench", layout="wide")


def sign_in(account) -> None:
    """Show the sign-in form until someone signs in; then `account` (in the sidebar) names them,
    with Sign out."""
    import streamlit_authenticator as stauth
    from streamlit_authenticator.utilities import LoginError

    db = get_db()
    try:
        auth = stauth.Authenticate(credentials(db), cookie_name="factcheck_sign_in",
                                   cookie_key=secret(db, "sign_in_cookie"), cookie_expiry_days=7, auto_hash=False)

        def form():
            try:
                auth.login(location="main", key="sign_in", fields={
                    "Form name": "Sign in to the fact-check workbench", "Username": "Username",
                    "Password": "Password", "Login": "Sign in"})
            except LoginError as exc:
                st.error(md_text(f"Not signed in: {exc}"))

        was_in = bool(st.session_state.get("authentication_status"))
        form()
        if st.session_state.get("authentication_status"):
            st.session_state.pop("_signed_out", None)
            with account:
                shown = get_user(db, st.session_state.get("username")) or {}
                st.markdown(f"Signed in as **{md_text(shown.get('name', ''))}** "
                            f"({md_text(shown.get('username', ''))}, {shown.get('role', '')})")
                auth.logout("Sign out", location="main", key="sign_out")
            if not st.session_state.get("authentication_status"):  # just pressed: the form again
                st.session_state["_signed_out"] = True
                st.session_state.pop("user", None)
                st.success("You are signed out.")
                form()
            elif not was_in:
                # signed in by the form just now (not by the cookie of an earlier visit): the
                # cookie is set by a component in the browser, and one drawn only in this run is
                # gone when the next click comes first, so a reload would ask again
                st.session_state["_cookie_wanted"] = "factcheck_sign_in" not in st.context.cookies
            elif st.session_state.get("_cookie_wanted"):
                if st.session_state.get("set") is True:  # the component's value: the browser has it
                    st.session_state.pop("_cookie_wanted")
                else:
                    auth.cookie_controller.set_cookie()
        elif st.session_state.get("_signed_out") and st.session_state.get("delete") is not True:
            auth.cookie_controller.delete_cookie()  # the same for the cookie's removal after Sign out
        status = st.session_state.get("authentication_status")
        if status is False:
            st.error("Not signed in: the username or password is wrong.")
        user = get_user(db, st.session_state.get("username")) if status else None
    finally:
        db.close()
    if status and user is None:  # removed since the cookie was made
        auth.logout(location="unrendered")
        st.error("Not signed in: that user has been removed. Ask an admin.")
    if not user:
        st.session_state.pop("user", None)
        st.caption("Accounts are managed by an admin with `factcheck users add NAME --role reviewer`.")
        st.stop()
    st.session_state["user"] = user


PAGES = [
    st.Page("app_pages/check_page.py", title="Check an article", url_path="check"),
    st.Page("app_pages/review_page.py", title="Review claims", url_path="review"),
    st.Page("app_pages/sources_page.py", title="Sources", url_path="sources"),
    st.Page("app_pages/export_page.py", title="Export", url_path="export"),
]
# a default page of its own only sends "/" on to /check: the default page itself has no address.
# The navigation is made before the sign-in, so the page asked for (/review) is the one shown after it.
page = st.navigation([st.Page("app_pages/home.py", title="Fact-check workbench", default=True), *PAGES],
                     position="hidden")
links, account = st.sidebar.container(), st.sidebar.container()

db = get_db()
try:
    required = sign_in_required(db)
finally:
    db.close()
if required:
    sign_in(account)
else:
    try:
        address = st.context.ip_address
    except Exception:
        address = None
    if address not in LOCAL_ADDRESSES:
        st.error("This workbench runs without sign-in, for one person on the computer it runs on. To open it to "
                 "a team, an admin adds users (`factcheck users add NAME --role admin`) and turns sign-in on "
                 "(`factcheck settings set sign_in on`).")
        st.stop()

for p in PAGES:
    links.page_link(p)
page.run()
