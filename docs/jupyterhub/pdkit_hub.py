# pdkit on JupyterHub: the pdkit hub service alone holds the store (see docs/deploy-jupyterhub.md).
# The Littlest JupyterHub: /opt/tljh/config/jupyterhub_config.d/pdkit.py (then chmod 600 it).
c = get_config()  # noqa: F821

# The service: JupyterHub starts `pdkit hub-service`, the only process that has the store URL.
c.JupyterHub.services = [
    {
        "name": "pdkit",
        "url": "http://127.0.0.1:10101",
        "command": ["/opt/tljh/user/bin/pdkit", "hub-service"],
        "environment": {
            # REPLACE: your database (or sqlite:////var/lib/pdkit/pdkit.sqlite3)
            "PDKIT_STORE": "postgresql://pdkit:PASSWORD@localhost/pdkit",
        },
    }
]
# Teachers may call the service with their own hub token; the service may read hub groups.
c.JupyterHub.load_roles = [
    {"name": "user", "scopes": ["self", "access:services!service=pdkit"]},
    {"name": "pdkit-service", "scopes": ["read:groups"], "services": ["pdkit"]},
]
c.Spawner.server_token_scopes = [
    "users:activity!user",
    "access:servers!server",
    "access:services!service=pdkit",
]
# Facilitators and coaches are hub groups. REPLACE the user names (or manage the groups
# on the hub's admin page and leave these lists empty).
c.JupyterHub.load_groups = {
    "pdkit-facilitators": {"users": []},
    "pdkit-coaches": {"users": []},
}
# Teachers' servers: where they land and the service's address. No password, no key.
c.Spawner.default_url = "/voila/render/workbooks/goal-setting.ipynb"
c.Spawner.environment.update(
    {
        "PDKIT_STORE": "pdkit-hub://127.0.0.1:10101/services/pdkit/",
        "PDKIT_SCHOOL_GOALS": "/srv/pdkit/school-goals.yaml",
    }
)
