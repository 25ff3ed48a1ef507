"""The dashboard's entry point: only the page navigation (pages live in scanner/ui/pages/).

Start it with `wetcement serve` (which sets $WETCEMENT_DB), or `streamlit run app.py`.
"""

import streamlit as st

from scanner.ui import access

st.set_page_config(page_title="Wet Cement Scanner", layout="wide")

PAGES = "scanner/ui/pages"
navigation = st.navigation(
    [
        st.Page(f"{PAGES}/radar.py", title="Radar", url_path="radar", default=True),
        st.Page(f"{PAGES}/candidate.py", title="Candidate", url_path="candidate"),
        st.Page(f"{PAGES}/meeting.py", title="Meeting", url_path="meeting"),
        st.Page(f"{PAGES}/explore.py", title="Explore", url_path="explore"),
        st.Page(f"{PAGES}/map.py", title="Map", url_path="map"),
        st.Page(f"{PAGES}/coverage.py", title="Coverage", url_path="coverage"),
        st.Page(f"{PAGES}/sources.py", title="Sources", url_path="sources"),
        st.Page(f"{PAGES}/settings.py", title="Settings", url_path="settings"),
    ]
)
access.sidebar()  # who writes, or why nobody can (serve --read-only / --auth header)
navigation.run()
