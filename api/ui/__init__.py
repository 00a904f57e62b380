"""The server-rendered web UI: templates, static files, sign-in and page builders."""
