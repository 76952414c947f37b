"""SaaS: Linear, Atlassian, Notion, Airtable, Asana, Figma, Shopify, HubSpot, Okta, Auth0, Postman, Doppler,
HashiCorp Vault, Mapbox, Dropbox, Databricks, Tailscale, Typeform, Contentful, Algolia, Segment, LaunchDarkly,
Zendesk (observability tools are in :mod:`.observability`).

Prefixed formats come first; the context rules (the provider's name in the key) follow them.
"""

from __future__ import annotations

from cdev_tui.security.rules.base import EDGE_LEFT, EDGE_RIGHT, Rule, rule
from cdev_tui.security.rules.keys import ASSIGN, UUID, UUID_EXAMPLE, assigned

"""Right edge of a token that ends in base64 (with ``+``, ``/`` and ``=`` padding)."""

RULES: tuple[Rule, ...] = (
    # --- Project and work management ------------------------------------------------------------------------
    rule(
        "linear-api-key",
        "Linear API key",
        "high",
        ("lin_api_",),
        EDGE_LEFT + r"(lin_api_[A-Za-z0-9]{40})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "LINEAR_API_KEY=lin_api_{alnum:40}",
            'const linear = new LinearClient({{ apiKey: "lin_api_{alnum:40}" }});',
        ),
        counter_examples=(
            "LINEAR_API_KEY=lin_api_{alnum:12}",
            "LINEAR_API_KEY=${{LINEAR_API_KEY}}",
        ),
        help="A Linear personal API key: it reads and changes the issues, projects and comments its user can "
        "see, through the GraphQL API. Revoke it under Settings > Security & access > Personal API keys.",
    ),
    rule(
        "atlassian-api-token",
        "Atlassian API token",
        "high",
        ("atatt3", "atctt3"),
        EDGE_LEFT + r"(AT[AC]TT3[A-Za-z0-9_=-]{186})" + EDGE_RIGHT,
        min_entropy=4.0,
        examples=(
            "JIRA_API_TOKEN=ATATT3xFfGF0{b64url:171}={HEX:8}",
            "curl -u dev@acme.io:ATATT3xFfGF0{b64url:171}={HEX:8} "
            "https://acme.atlassian.net/rest/api/3/myself",
        ),
        counter_examples=(
            "JIRA_API_TOKEN=ATATT3xFfGF0{b64url:40}",
            "JIRA_API_TOKEN=${{JIRA_API_TOKEN}}",
        ),
        help="An Atlassian account API token: with the account's e-mail it calls the Jira, Confluence and "
        "Bitbucket Cloud APIs as that user. Revoke it at id.atlassian.com under Security > API tokens.",
    ),
    rule(
        "notion-integration-token",
        "Notion integration token",
        "high",
        ("ntn_",),
        EDGE_LEFT + r"(ntn_[0-9]{11}[A-Za-z0-9]{35})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "NOTION_TOKEN=ntn_{digits:11}{alnum:35}",
            'notion = Client(auth="ntn_{digits:11}{alnum:35}")',
        ),
        counter_examples=(
            "NOTION_TOKEN=ntn_{digits:11}",
            "NOTION_TOKEN=${{NOTION_TOKEN}}",
        ),
        help="A Notion internal integration token: it reads and edits every page and database shared with "
        "the integration. Refresh it under Settings > Connections > Develop or manage integrations.",
    ),
    rule(
        "notion-legacy-integration-token",
        "Notion integration token (legacy secret_ format)",
        "high",
        ("secret_",),
        # Group 1 is the random part: the placeholder filters reject any value holding the word "secret".
        EDGE_LEFT + r"secret_([A-Za-z0-9]{43})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "NOTION_API_KEY=secret_{alnum:43}",
            'const notion = new Client({{ auth: "secret_{alnum:43}" }});',
        ),
        counter_examples=(
            "NOTION_API_KEY=secret_{alnum:20}",
            "client_secret_{alnum:43}",
            "NOTION_API_KEY=secret_{lower:43}",
        ),
        help="A Notion internal integration token in the format issued before September 2024: it reads and "
        "edits every page and database shared with the integration. Refresh it under Settings > Connections "
        "> Develop or manage integrations.",
    ),
    rule(
        "airtable-pat",
        "Airtable personal access token",
        "high",
        ("pat",),
        EDGE_LEFT + r"(pat[A-Za-z0-9]{14}\.[0-9a-f]{64})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "AIRTABLE_API_KEY=pat{alnum:14}.{hex:64}",
            'curl -H "Authorization: Bearer pat{alnum:14}.{hex:64}" https://api.airtable.com/v0/meta/bases',
        ),
        counter_examples=(
            "AIRTABLE_API_KEY=pat{alnum:14}.{hex:20}",
            "AIRTABLE_API_KEY=${{AIRTABLE_API_KEY}}",
        ),
        help="An Airtable personal access token: within its scopes it reads and writes the records and "
        "schema of the bases it was granted. Delete it or regenerate it in the Airtable builder hub under "
        "Personal access tokens.",
    ),
    rule(
        "figma-pat",
        "Figma personal access token",
        "high",
        ("figd_",),
        EDGE_LEFT + r"(figd_[A-Za-z0-9_-]{38,48})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "FIGMA_ACCESS_TOKEN=figd_{b64url:40}",
            'curl -H "X-Figma-Token: figd_{b64url:40}" https://api.figma.com/v1/me',
        ),
        counter_examples=(
            "FIGMA_ACCESS_TOKEN=figd_{b64url:12}",
            "FIGMA_ACCESS_TOKEN=figd_{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
        ),
        help="A Figma personal access token: within its scopes it reads (or writes) the user's files, "
        "comments and design-system data. Revoke it under Settings > Security > Personal access tokens in "
        "Figma.",
    ),
    # --- Commerce and CRM -----------------------------------------------------------------------------------
    rule(
        "shopify-access-token",
        "Shopify Admin API access token",
        "high",
        ("shpat_", "shpca_", "shppa_"),
        EDGE_LEFT + r"(shp(?:at|ca|pa)_[0-9a-fA-F]{32})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "SHOPIFY_ACCESS_TOKEN=shpat_{hex:32}",
            'curl -H "X-Shopify-Access-Token: shpca_{hex:32}" '
            "https://acme.myshopify.com/admin/api/graphql.json",
            "  access_token: shppa_{hex:32}",
        ),
        counter_examples=(
            "SHOPIFY_ACCESS_TOKEN=shpat_{hex:16}",
            "SHOPIFY_ACCESS_TOKEN=shpat_{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
        ),
        help="A Shopify Admin API access token (custom, private or public app): within the app's scopes it "
        "reads and changes the store's orders, customers and products. Uninstall the app or rotate its "
        "credentials in the store admin (Settings > Apps and sales channels > Develop apps).",
    ),
    rule(
        "shopify-shared-secret",
        "Shopify app shared secret",
        "high",
        ("shpss_",),
        EDGE_LEFT + r"(shpss_[0-9a-fA-F]{32})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "SHOPIFY_API_SECRET=shpss_{hex:32}",
            'api_secret_key: "shpss_{hex:32}"',
        ),
        counter_examples=(
            "SHOPIFY_API_SECRET=shpss_{hex:10}",
            "SHOPIFY_API_SECRET=${{SHOPIFY_API_SECRET}}",
        ),
        help="A Shopify app's shared secret: it completes OAuth installs as the app and signs or verifies "
        "webhooks. Rotate the client secret in the Partner Dashboard (or the store's app settings).",
    ),
    rule(
        "hubspot-private-app-token",
        "HubSpot private app access token",
        "high",
        ("pat-na", "pat-eu", "pat-ap"),
        EDGE_LEFT + r"(pat-(?:na|eu|ap)[0-9]-" + UUID + r")" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "HUBSPOT_ACCESS_TOKEN=pat-na1-" + UUID_EXAMPLE,
            "Authorization: Bearer pat-eu1-" + UUID_EXAMPLE,
        ),
        counter_examples=(
            "HUBSPOT_ACCESS_TOKEN=pat-na1-{hex:8}",
            "HUBSPOT_ACCESS_TOKEN=${{HUBSPOT_ACCESS_TOKEN}}",
        ),
        help="A HubSpot private app (or service key) access token: within its scopes it reads and writes the "
        "account's CRM contacts, deals and settings. Rotate it on the app's Auth tab under Settings > "
        "Integrations > Private Apps.",
    ),
    # --- Observability --------------------------------------------------------------------------------------
    rule(
        "postman-api-key",
        "Postman API key",
        "high",
        ("pmak-",),
        EDGE_LEFT + r"(PMAK-[0-9a-f]{24}-[0-9a-f]{34})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "POSTMAN_API_KEY=PMAK-{hex:24}-{hex:34}",
            'curl -H "X-Api-Key: PMAK-{hex:24}-{hex:34}" https://api.getpostman.com/me',
        ),
        counter_examples=(
            "POSTMAN_API_KEY=PMAK-{hex:24}",
            "POSTMAN_API_KEY=${{POSTMAN_API_KEY}}",
        ),
        help="A Postman API key: it reads and changes the user's workspaces, collections and environments "
        "(which often hold more secrets). Delete it under Settings > API keys in Postman.",
    ),
    # --- Secrets and configuration --------------------------------------------------------------------------
    rule(
        "doppler-token",
        "Doppler token",
        "high",
        ("dp.pt.", "dp.st.", "dp.ct.", "dp.sa.", "dp.scim.", "dp.audit."),
        EDGE_LEFT
        + r"(dp\.(?:pt|st|ct|sa|scim|audit)\.(?:[a-z0-9_-]{2,35}\.)?[A-Za-z0-9]{40,44})"
        + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "DOPPLER_TOKEN=dp.st.prd.{alnum:43}",
            'DOPPLER_TOKEN="dp.pt.{alnum:43}"',
            "      DOPPLER_TOKEN: dp.sa.{alnum:43}",
        ),
        counter_examples=(
            "DOPPLER_TOKEN=dp.st.{alnum:10}",
            "DOPPLER_TOKEN=${{DOPPLER_TOKEN}}",
        ),
        help="A Doppler token (personal, service, CLI, service account, SCIM or audit): it reads the secrets "
        "of the projects and configs it can access. Revoke it in the Doppler dashboard (the config's Access "
        "tab, or Tokens in the account settings).",
    ),
    rule(
        "hashicorp-vault-token",
        "HashiCorp Vault service or batch token",
        "high",
        ("hvs.", "hvb."),
        # A batch token is the base64 of the key term and the encrypted token entry, so its length follows
        # the policies and metadata it carries: about a hundred characters with few of them.
        EDGE_LEFT + r"(hvs\.[A-Za-z0-9_-]{90,300}|hvb\.[A-Za-z0-9_-]{100,400})" + EDGE_RIGHT,
        min_entropy=4.0,
        examples=(
            "VAULT_TOKEN=hvs.CAESI{b64url:90}",
            "vault login hvs.CAESI{b64url:92}",
            "export VAULT_TOKEN=hvb.AAAAAQ{b64url:150}",
            '  vault_batch_token: "hvb.AAAAAQ{b64url:120}"',
            '    "vaultBatchToken": "hvb.AAAAAQ{b64url:104}",',
        ),
        counter_examples=(
            "VAULT_TOKEN=hvs.{alnum:20}",
            "VAULT_TOKEN=${{VAULT_TOKEN}}",
            "VAULT_TOKEN=hvb.AAAAAQ{b64url:40}",
        ),
        help="A HashiCorp Vault token: it reads the secrets and performs the operations its policies allow "
        "until it expires. Revoke it with vault token revoke (and its accessor's children) and review the "
        "audit log.",
    ),
    # --- Maps, content and data -----------------------------------------------------------------------------
    rule(
        "mapbox-secret-token",
        "Mapbox secret access token",
        "high",
        ("sk.eyj",),
        EDGE_LEFT + r"(sk\.eyJ[A-Za-z0-9_-]{20,400}\.[A-Za-z0-9_-]{20,40})" + EDGE_RIGHT,
        min_entropy=4.0,
        examples=(
            "MAPBOX_DOWNLOADS_TOKEN=sk.eyJ1Ijoi{alnum:12}IiwiYSI6I{alnum:26}In0.{b64url:22}",
            'mapbox_secret_token: "sk.eyJ1Ijoi{alnum:10}IiwiYSI6I{alnum:26}In0.{b64url:22}"',
        ),
        counter_examples=(
            "MAPBOX_PUBLIC_TOKEN=pk.eyJ1Ijoi{alnum:12}IiwiYSI6I{alnum:26}In0.{b64url:22}",
            "MAPBOX_DOWNLOADS_TOKEN=sk.eyJ1{alnum:4}",
        ),
        help="A Mapbox secret token: within its scopes it uploads tilesets, manages styles and tokens or "
        "downloads the SDKs, billed to the account. Delete or rotate it on the Access tokens page of the "
        "Mapbox account.",
    ),
    rule(
        "dropbox-access-token",
        "Dropbox short-lived access token",
        "high",
        ("sl.",),
        # "sl." and 130 to 160 characters, or the newer "sl.u." form of a thousand and more
        EDGE_LEFT + r"(sl\.(?:u\.[A-Za-z0-9_-]{100,2000}|[A-Za-z0-9_=-]{130,160}))" + EDGE_RIGHT,
        min_entropy=4.0,
        mixed=True,
        examples=(
            "DROPBOX_ACCESS_TOKEN=sl.{b64url:138}",
            'const DROPBOX_TOKEN: &str = "sl.{b64url:135}";',
            "curl -X POST https://api.dropboxapi.com/2/users/get_current_account "
            "--header 'Authorization: Bearer sl.u.AF{b64url:1200}'",
        ),
        counter_examples=(
            "DROPBOX_ACCESS_TOKEN=sl.{b64url:40}",
            "ctx = ssl.{lower:160}",
            "DROPBOX_ACCESS_TOKEN=sl.{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}"
            "{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
        ),
        help="A Dropbox OAuth access token (short-lived, sl.): until it expires, a few hours after issue, it "
        "reads and changes the files and account of its user within the app's scopes. Revoke it with the "
        "auth/token/revoke API, and revoke the refresh token or app access that issued it under Settings > "
        "Connected apps.",
    ),
    rule(
        "databricks-token",
        "Databricks personal access token",
        "high",
        ("dapi",),
        EDGE_LEFT + r"(dapi[0-9a-f]{32}(?:-[0-9])?)" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "DATABRICKS_TOKEN=dapi{hex:32}",
            'req.Header.Set("Authorization", "Bearer dapi{hex:32}")',
            "token = dapi{hex:32}-2",
        ),
        counter_examples=(
            "DATABRICKS_TOKEN=dapi{hex:12}",
            "DATABRICKS_TOKEN=dapi{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
        ),
        help="A Databricks personal access token: it calls the workspace's REST API as its user, running jobs "
        "and notebooks and reading the data they can reach. Revoke it under User Settings > Developer > Access "
        "tokens (an admin can revoke any user's token).",
    ),
    rule(
        "tailscale-key",
        "Tailscale auth key or API access token",
        "high",
        ("tskey-",),
        EDGE_LEFT + r"(tskey-[a-z]{3,10}-[A-Za-z0-9]{6,24}-[A-Za-z0-9]{20,64})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "TS_AUTHKEY=tskey-auth-k{alnum:10}CNTRL-{alnum:32}",
            "tailscale up --authkey tskey-auth-k{alnum:10}CNTRL-{alnum:32}",
            "TAILSCALE_API_KEY=tskey-api-k{alnum:10}CNTRL-{alnum:32}",
        ),
        counter_examples=(
            "TS_AUTHKEY=tskey-auth-k{alnum:10}CNTRL-{alnum:8}",
            "TS_AUTHKEY=tskey-auth-{=XXXXXXXXXXXX}-{=XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX}",
        ),
        help="A Tailscale auth key (it joins devices to the tailnet, maybe pre-approved and tagged) or API "
        "access token (it manages the tailnet's devices, ACLs and keys). Revoke it under Settings > Keys in the "
        "Tailscale admin console.",
    ),
    rule(
        "typeform-pat",
        "Typeform personal access token",
        "high",
        ("tfp_",),
        EDGE_LEFT + r"(tfp_[A-Za-z0-9_.=-]{59})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "TYPEFORM_TOKEN=tfp_{b64url:59}",
            "curl -H 'Authorization: Bearer tfp_{b64url:59}' https://api.typeform.com/forms",
        ),
        counter_examples=(
            "TYPEFORM_TOKEN=tfp_{b64url:20}",
            "TYPEFORM_TOKEN=${{TYPEFORM_TOKEN}}",
        ),
        help="A Typeform personal access token: it reads and changes the account's forms and reads every "
        "response collected. Delete it under Account > Personal tokens in Typeform.",
    ),
    rule(
        "contentful-pat",
        "Contentful personal access token",
        "high",
        ("cfpat-",),
        EDGE_LEFT + r"(CFPAT-[A-Za-z0-9_-]{43})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "CONTENTFUL_MANAGEMENT_TOKEN=CFPAT-{b64url:43}",
            "contentful space list --management-token CFPAT-{b64url:43}",
        ),
        counter_examples=(
            "CONTENTFUL_MANAGEMENT_TOKEN=CFPAT-{b64url:10}",
            "CONTENTFUL_MANAGEMENT_TOKEN=${{CONTENTFUL_MANAGEMENT_TOKEN}}",
        ),
        help="A Contentful personal access token: it uses the Content Management API as its user, changing "
        "content models, entries and space settings. Revoke it under Settings > CMA tokens in Contentful.",
    ),
    rule(
        "segment-api-token",
        "Segment Public API token",
        "high",
        ("sgp_",),
        EDGE_LEFT + r"(sgp_[A-Za-z0-9_-]{60,70})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "SEGMENT_PUBLIC_API_TOKEN=sgp_{alnum:64}",
            "Authorization: Bearer sgp_{alnum:64}",
        ),
        counter_examples=(
            "SEGMENT_PUBLIC_API_TOKEN=sgp_{alnum:20}",
            "SEGMENT_PUBLIC_API_TOKEN=${{SEGMENT_TOKEN}}",
        ),
        help="A Segment Public API token: it manages the workspace's sources, destinations, tracking plans "
        "and users. Remove it under Settings > Workspace settings > Access Management > Tokens.",
    ),
    # --- Context rules: the provider's name in the key ------------------------------------------------------
    rule(
        "atlassian-legacy-api-token",
        "Atlassian, Jira or Confluence API token (legacy format)",
        "medium",
        ("atlassian", "confluence", "jira"),
        assigned(
            r"(?:atlassian|confluence|jira)[a-z0-9_.-]{0,20}?(?:token|api_?key|password)", r"[A-Za-z0-9]{24}"
        ),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "JIRA_API_TOKEN={alnum:24}",
            'confluence_token: "{alnum:24}"',
        ),
        counter_examples=(
            "JIRA_API_TOKEN=${{JIRA_API_TOKEN}}",
            "JIRA_API_TOKEN=ATATT3xFfGF0{b64url:171}={HEX:8}",
            "JIRA_API_TOKEN={lower:24}",
        ),
        help="An Atlassian account API token in the format issued before 2023: with the account's e-mail it "
        "calls the Jira and Confluence Cloud APIs as that user. Revoke it at id.atlassian.com under Security "
        "> API tokens.",
    ),
    rule(
        "asana-pat",
        "Asana personal access token",
        "medium",
        ("asana", "bearer"),
        # the provider's name in the key, or the token's own shape (version/user id[/app id]:secret) in a Bearer
        # header, where no key names it
        r"(?:(?i:asana[a-z0-9_.-]{0,20}?(?:token|key|pat))" + ASSIGN + r"|(?i:bearer)[ \t]+)"
        r"([0-9]/[0-9]{8,20}(?:/[0-9]{8,20})?:[0-9a-f]{32}|0/[0-9a-f]{32})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "ASANA_ACCESS_TOKEN=2/{digits:16}/{digits:16}:{hex:32}",
            'asana_pat: "1/{digits:16}:{hex:32}"',
            'headers = {{"Authorization": "Bearer 2/{digits:16}/{digits:16}:{hex:32}"}}',
        ),
        counter_examples=(
            "ASANA_ACCESS_TOKEN=${{ASANA_ACCESS_TOKEN}}",
            "ASANA_ACCESS_TOKEN=2/{digits:16}/{digits:16}:{hex:12}",
            "Authorization: Bearer {digits:16}",
        ),
        help="An Asana personal access token: it reads and changes every task, project and workspace its "
        "user can access. Deauthorize it in the Asana developer console under Personal access tokens.",
    ),
    rule(
        "okta-api-token",
        "Okta API token",
        "high",
        ("okta", "ssws"),
        r"(?:(?i:okta[a-z0-9_.-]{0,20}?(?:token|key))"
        + ASSIGN
        + r"|SSWS[ \t]+)(00[A-Za-z0-9_-]{40})"
        + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "OKTA_API_TOKEN=00{b64url:40}",
            'curl -H "Authorization: SSWS 00{b64url:40}" https://acme.okta.com/api/v1/users/me',
            "okta.client.token: 00{b64url:40}",
        ),
        counter_examples=(
            "OKTA_API_TOKEN=${{OKTA_API_TOKEN}}",
            "OKTA_API_TOKEN=00{b64url:20}",
        ),
        help="An Okta API token: it calls the Okta management API with the privileges of the admin who "
        "created it (users, groups, apps, policies). Revoke it in the Admin Console under Security > API > "
        "Tokens.",
    ),
    rule(
        "auth0-client-secret",
        "Auth0 application client secret",
        "high",
        ("auth0",),
        assigned(r"auth0[a-z0-9_.-]{0,20}?client[_.-]?secret", r"[A-Za-z0-9_-]{64}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "AUTH0_CLIENT_SECRET={b64url:64}",
            'auth0_client_secret: "{b64url:64}"',
        ),
        counter_examples=(
            "AUTH0_CLIENT_SECRET=${{AUTH0_CLIENT_SECRET}}",
            "AUTH0_CLIENT_SECRET={b64url:24}",
            "AUTH0_CLIENT_ID={alnum:32}",
        ),
        help="An Auth0 application's client secret: it obtains tokens as the application (for a "
        "machine-to-machine app, Management API tokens). Rotate it under Applications > (the app) > Settings "
        "in the Auth0 Dashboard.",
    ),
    rule(
        "algolia-admin-key",
        "Algolia admin or write API key",
        "medium",
        ("algolia",),
        assigned(
            r"(?<!public[_-])algolia(?![a-z0-9_.-]{0,20}?search)"  # not a public search-only key
            r"[a-z0-9_.-]{0,20}?(?:admin|write|api)[_.-]?key",
            r"[0-9a-f]{32}",
        ),
        min_entropy=3.0,
        examples=(
            "ALGOLIA_ADMIN_API_KEY={hex:32}",
            'algolia_api_key: "{hex:32}"',
        ),
        counter_examples=(
            "ALGOLIA_SEARCH_API_KEY={hex:32}",
            "NEXT_PUBLIC_ALGOLIA_API_KEY={hex:32}",
            "ALGOLIA_ADMIN_API_KEY=${{ALGOLIA_ADMIN_API_KEY}}",
        ),
        help="An Algolia admin (or write) API key: it adds, changes and deletes records, indices, settings "
        "and other API keys of the application. Regenerate the admin key (or delete the write key) under "
        "Settings > API Keys in the Algolia dashboard.",
    ),
    rule(
        "dropbox-long-lived-token",
        "Dropbox long-lived access token",
        "high",
        ("dropbox",),
        assigned(r"dropbox[a-z0-9_.-]{0,20}?(?:token|key)", r"[A-Za-z0-9]{11}AAAAAAAAAA[A-Za-z0-9_=-]{43}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "DROPBOX_ACCESS_TOKEN={alnum:11}AAAAAAAAAA{b64url:43}",
            'dropbox_token: "{alnum:11}AAAAAAAAAA{b64url:43}"',
        ),
        counter_examples=(
            "DROPBOX_ACCESS_TOKEN=${{DROPBOX_ACCESS_TOKEN}}",
            "DROPBOX_APP_KEY={lowernum:15}",
        ),
        help="A Dropbox long-lived access token (no longer issued since 2021, but valid until revoked): it "
        "reads and changes its user's files within the app's scopes. Revoke it with the auth/token/revoke API "
        "or by disconnecting the app under Settings > Connected apps.",
    ),
    rule(
        "launchdarkly-access-token",
        "LaunchDarkly API access token or server-side SDK key",
        "high",
        # the name, or its abbreviation before the kind of key: LD_SDK_KEY, ld.api.key, ldApiKey, LD_ACCESS_TOKEN
        (
            "launchdarkly",
            "launch_darkly",
            "launch-darkly",
            *(f"ld{sep}{kind}" for sep in ("_", ".", "-", "") for kind in ("api", "sdk", "access")),
        ),
        assigned(
            r"(?:launch[_.-]?darkly[a-z0-9_.-]{0,20}?|(?<![a-z0-9])ld[_.-]?(?:api|sdk|access)[a-z0-9_.-]{0,12}?)"
            r"(?:key|token)",
            r"(?:api|sdk)-" + UUID,
        ),
        min_entropy=3.0,
        examples=(
            "LAUNCHDARKLY_ACCESS_TOKEN=api-" + UUID_EXAMPLE,
            "ld.api.key=api-" + UUID_EXAMPLE,
            '    "ldSdkKey": "sdk-' + UUID_EXAMPLE + '",',
        ),
        counter_examples=(
            "LAUNCHDARKLY_CLIENT_SIDE_ID={hex:24}",
            "LD_MOBILE_KEY=mob-" + UUID_EXAMPLE,
            "LAUNCHDARKLY_SDK_KEY=${{LAUNCHDARKLY_SDK_KEY}}",
        ),
        help="A LaunchDarkly API access token (api-) or server-side SDK key (sdk-): the first changes flags, "
        "environments and members with its role, the second reads every flag and segment of its environment. "
        "Reset or delete it under Organization settings > Authorization (tokens) or the environment's keys.",
    ),
    rule(
        "zendesk-api-token",
        "Zendesk API token",
        "medium",
        ("zendesk",),
        assigned(r"zendesk[a-z0-9_.-]{0,20}?(?:token|key)", r"[A-Za-z0-9]{40}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "ZENDESK_API_TOKEN={alnum:40}",
            'zendesk_token: "{alnum:40}"',
        ),
        counter_examples=(
            "ZENDESK_API_TOKEN=${{ZENDESK_API_TOKEN}}",
            "ZENDESK_API_TOKEN={alnum:16}",
        ),
        help="A Zendesk API token: with any agent's e-mail it calls the Support API as that agent (tickets, "
        "users, settings). Delete it in Admin Center under Apps and integrations > Zendesk API.",
    ),
)
