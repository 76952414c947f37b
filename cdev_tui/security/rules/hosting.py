"""Hosting, edge and developer-cloud platforms: DigitalOcean, Heroku, Cloudflare, Scaleway, Linode, Vultr, Fastly,
Netlify, Vercel, Supabase."""

from __future__ import annotations

from cdev_tui.security.rules.base import EDGE_LEFT, EDGE_RIGHT, Rule, rule
from cdev_tui.security.rules.keys import UUID, UUID_EXAMPLE, assigned

_CLOUDFLARE_KEY = r"(?:cloudflare[a-z0-9_.-]{0,20}?|cf_api_)(?:token|key)"

RULES: tuple[Rule, ...] = (
    rule(
        "digitalocean-pat",
        "DigitalOcean personal access token",
        "high",
        ("dop_v1_",),
        EDGE_LEFT + r"(dop_v1_[a-f0-9]{64})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "DIGITALOCEAN_TOKEN=dop_v1_{hex:64}",
            'do_token = "dop_v1_{hex:64}"',
        ),
        counter_examples=(
            "DIGITALOCEAN_TOKEN=dop_v1_{hex:32}",
            "DIGITALOCEAN_TOKEN=dop_v1_{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
        ),
        help="A DigitalOcean API token: it manages droplets, databases and other resources within its scopes. "
        "Delete it under API > Tokens in the control panel and create a new one.",
    ),
    rule(
        "digitalocean-oauth-token",
        "DigitalOcean OAuth access token",
        "high",
        ("doo_v1_",),
        EDGE_LEFT + r"(doo_v1_[a-f0-9]{64})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "Authorization: Bearer doo_v1_{hex:64}",
            'access_token: "doo_v1_{hex:64}"',
        ),
        counter_examples=("Authorization: Bearer doo_v1_{hex:16}",),
        help="A DigitalOcean OAuth access token issued to an application: it acts on the user's team with the "
        "granted scopes. Revoke the application's access under API > OAuth Applications / Authorized apps.",
    ),
    rule(
        "digitalocean-refresh-token",
        "DigitalOcean OAuth refresh token",
        "high",
        ("dor_v1_",),
        EDGE_LEFT + r"(dor_v1_[a-f0-9]{64})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=('refresh_token = "dor_v1_{hex:64}"',),
        counter_examples=('refresh_token = "dor_v1_{hex:40}"',),
        help="A DigitalOcean OAuth refresh token: it mints new access tokens for the application. Revoke the "
        "application's authorisation in the control panel's API settings.",
    ),
    rule(
        "heroku-api-key",
        "Heroku API key",
        "high",
        ("hrku-",),
        EDGE_LEFT + r"(HRKU-[A-Za-z0-9_-]{60})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "HEROKU_API_KEY=HRKU-AA{b64url:58}",
            'heroku_token: "HRKU-AA{b64url:58}"',
        ),
        counter_examples=("HEROKU_API_KEY=HRKU-{b64url:20}",),
        help="A Heroku API key or authorization: it manages every app the account can reach. Revoke it under "
        "Account settings > API key or Applications (Authorizations) and create a new one.",
    ),
    rule(
        "heroku-api-key-legacy",
        "Heroku API key (UUID format)",
        "medium",
        ("heroku",),
        assigned(r"heroku[a-z0-9_.-]{0,20}?(?:key|token)", UUID),
        min_entropy=3.0,
        examples=(
            "HEROKU_API_KEY=" + UUID_EXAMPLE,
            'const herokuToken = "' + UUID_EXAMPLE + '";',
        ),
        counter_examples=(
            "heroku_app_id = " + UUID_EXAMPLE,
            "HEROKU_API_KEY=${{HEROKU_API_KEY}}",
        ),
        help="A Heroku API key in the older UUID format: it manages every app the account can reach. "
        "Regenerate it under Account settings > API key.",
    ),
    rule(
        "cloudflare-api-token",
        "Cloudflare API token",
        "medium",
        ("cloudflare", "cf_api_"),
        assigned(_CLOUDFLARE_KEY, r"[A-Za-z0-9_-]{40}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "CLOUDFLARE_API_TOKEN={b64url:40}",
            'cloudflare_token: "{alnum:40}"',
        ),
        counter_examples=(
            "CLOUDFLARE_API_TOKEN=${{CLOUDFLARE_API_TOKEN}}",
            "cloudflare_zone_id = {hex:32}",
        ),
        help="A scoped Cloudflare API token: it changes DNS, Workers, firewall or other settings within its "
        "permissions. Roll or delete it under My Profile > API Tokens.",
    ),
    rule(
        "cloudflare-global-api-key",
        "Cloudflare global API key",
        "medium",
        ("cloudflare", "cf_api_"),
        assigned(_CLOUDFLARE_KEY, r"[0-9a-f]{37}"),
        min_entropy=3.0,
        mixed=True,
        examples=(
            "CLOUDFLARE_API_KEY={hex:37}",
            'cf_api_key = "{hex:37}"',
        ),
        counter_examples=(
            "CLOUDFLARE_API_KEY={hex:32}",
            "CLOUDFLARE_API_KEY=${{CF_KEY}}",
        ),
        help="The legacy global API key: with the account e-mail it has full control of every zone and "
        "setting. Change it under My Profile > API Tokens > Global API Key (View / Change) and move to "
        "scoped tokens.",
    ),
    rule(
        "cloudflare-origin-ca-key",
        "Cloudflare Origin CA key",
        "high",
        ("v1.0-",),
        EDGE_LEFT + r"(v1\.0-[0-9a-f]{24}-[0-9a-f]{146})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "CLOUDFLARE_ORIGIN_CA_KEY=v1.0-{hex:24}-{hex:146}",
            'origin_ca_key: "v1.0-{hex:24}-{hex:146}"',
        ),
        counter_examples=("origin_ca_key: v1.0-{hex:24}-{hex:40}",),
        help="An Origin CA key: it issues and revokes Cloudflare origin certificates for the account. Change "
        "it under My Profile > API Tokens > Origin CA Key.",
    ),
    rule(
        "scaleway-secret-key",
        "Scaleway secret key",
        "medium",
        ("scw_secret_key", "scw-secret-key", "scaleway"),
        assigned(r"scw_secret_key|scw-secret-key|scaleway[a-z0-9_.-]{0,20}?secret_?key", UUID),
        min_entropy=3.0,
        examples=(
            "SCW_SECRET_KEY=" + UUID_EXAMPLE,
            'scaleway_secret_key = "' + UUID_EXAMPLE + '"',
        ),
        counter_examples=(
            "SCW_DEFAULT_PROJECT_ID=" + UUID_EXAMPLE,
            "SCW_SECRET_KEY=${{SCW_SECRET_KEY}}",
        ),
        help="The secret half of a Scaleway API key: it manages resources within the key's IAM policies. "
        "Delete the API key under IAM > API keys in the console and create a new one.",
    ),
    rule(
        "linode-token",
        "Linode (Akamai) API token",
        "medium",
        ("linode",),
        assigned(r"linode[a-z0-9_.-]{0,20}?token", r"[0-9a-f]{64}"),
        min_entropy=3.0,
        examples=(
            "LINODE_TOKEN={hex:64}",
            'linode_cli_token: "{hex:64}"',
        ),
        counter_examples=(
            "LINODE_TOKEN=${{LINODE_TOKEN}}",
            "linode_token = {hex:40}",
        ),
        help="A Linode personal access token: it manages Linodes, volumes and other resources within its "
        "scopes. Revoke it under My Profile > API Tokens in Cloud Manager.",
    ),
    rule(
        "vultr-api-key",
        "Vultr API key",
        "medium",
        ("vultr",),
        assigned(r"vultr[a-z0-9_.-]{0,20}?(?:key|token)", r"[A-Z0-9]{36}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "VULTR_API_KEY={uppernum:36}",
            'vultr_token = "{uppernum:36}"',
        ),
        counter_examples=(
            "VULTR_API_KEY=${{VULTR_API_KEY}}",
            "VULTR_API_KEY={uppernum:20}",
        ),
        help="A Vultr API key: it manages every instance and service in the account. Regenerate it under "
        "Account > API in the customer portal and restrict it to known IP ranges.",
    ),
    rule(
        "fastly-api-token",
        "Fastly API token",
        "medium",
        ("fastly",),
        assigned(r"fastly[a-z0-9_.-]{0,20}?(?:key|token)", r"[A-Za-z0-9_-]{32}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "FASTLY_API_TOKEN={b64url:32}",
            'fastly_key: "{alnum:32}"',
        ),
        counter_examples=(
            "FASTLY_API_TOKEN=${{FASTLY_API_TOKEN}}",
            "fastly_service_id = {alnum:22}",
        ),
        help="A Fastly API token: it changes services, purges caches or reads logs within its scope. Delete "
        "it under Account > Personal API tokens and create a new one.",
    ),
    rule(
        "netlify-pat",
        "Netlify personal access token",
        "high",
        ("nfp_",),
        EDGE_LEFT + r"(nfp_[A-Za-z0-9]{36,44})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "NETLIFY_AUTH_TOKEN=nfp_{alnum:40}",
            'token: "nfp_{alnum:36}"',
        ),
        counter_examples=(
            "NETLIFY_AUTH_TOKEN=nfp_{alnum:16}",
            "NETLIFY_AUTH_TOKEN=nfp_{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
        ),
        help="A Netlify personal access token: it deploys and configures every site the user can reach. "
        "Revoke it under User settings > Applications > Personal access tokens.",
    ),
    rule(
        "netlify-token",
        "Netlify access token (unprefixed)",
        "medium",
        ("netlify",),
        assigned(r"netlify[a-z0-9_.-]{0,20}?token", r"[A-Za-z0-9_-]{40,46}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "NETLIFY_AUTH_TOKEN={b64url:43}",
            'netlify_token: "{b64url:43}"',
        ),
        counter_examples=(
            "NETLIFY_AUTH_TOKEN=${{NETLIFY_AUTH_TOKEN}}",
            "NETLIFY_SITE_ID=" + UUID_EXAMPLE,
        ),
        help="A Netlify access token: it deploys and configures sites as its owner. Revoke it under User "
        "settings > Applications and create a new one.",
    ),
    rule(
        "vercel-token",
        "Vercel access token",
        "medium",
        ("vercel",),
        assigned(r"vercel[a-z0-9_.-]{0,20}?token", r"[A-Za-z0-9_]{24,64}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "VERCEL_TOKEN={alnum:24}",
            'vercel_api_token: "{alnum:24}"',
        ),
        counter_examples=(
            "VERCEL_TOKEN=${{{{ secrets.VERCEL_TOKEN }}}}",
            "VERCEL_PROJECT_ID=prj_{alnum:28}",
        ),
        help="A Vercel access token: it deploys and manages projects in its scope. Delete it under Account "
        "Settings > Tokens and create a new one with an expiry.",
    ),
    rule(
        "supabase-access-token",
        "Supabase personal access token",
        "high",
        ("sbp_",),
        EDGE_LEFT + r"(sbp_[0-9a-f]{40})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "SUPABASE_ACCESS_TOKEN=sbp_{hex:40}",
            'supabase_token: "sbp_{hex:40}"',
        ),
        counter_examples=(
            "SUPABASE_ACCESS_TOKEN=sbp_{hex:20}",
            "SUPABASE_ACCESS_TOKEN=sbp_{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
        ),
        help="A Supabase personal access token: it manages every project of the user through the Management "
        "API. Revoke it under Account > Access Tokens in the dashboard.",
    ),
    rule(
        "supabase-secret-key",
        "Supabase secret API key",
        "high",
        ("sb_secret_",),
        EDGE_LEFT + r"sb_secret_([A-Za-z0-9_-]{20,64})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "SUPABASE_SECRET_KEY=sb_secret_{b64url:31}",
            "const supabase = createClient(url, 'sb_secret_{b64url:40}')",
        ),
        counter_examples=(
            "SUPABASE_PUBLISHABLE_KEY=sb_publishable_{b64url:31}",
            "SUPABASE_SECRET_KEY=sb_secret_{b64url:8}",
        ),
        help="A Supabase secret key: it bypasses row-level security with full access to the project's data. "
        "Delete it under Project Settings > API Keys and create a new one.",
    ),
)
