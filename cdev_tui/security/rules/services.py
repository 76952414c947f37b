"""Other developer and business services: media, infrastructure, data, support and social platforms.

Adafruit IO, Adobe, Authress, ClickHouse Cloud, Fly.io, Frame.io, Harness, Infracost, 42 Intra, MaxMind,
Octopus Deploy, OpenShift, ReadMe, Scalingo, SettleMint, Sourcegraph, Cloudinary, Sidekiq; then the context
rules (the provider's name in the key): Beamer, Confluent, Etsy, Flickr, Freemius, Gitter, Intercom, LinkedIn,
Looker, MessageBird, NYTimes, RapidAPI, Sendbird, Snyk, Squarespace, Sumo Logic, Twitch.
"""

from __future__ import annotations

from cdev_tui.security.rules.base import EDGE_LEFT, EDGE_RIGHT, Rule, rule
from cdev_tui.security.rules.keys import UUID, UUID_EXAMPLE, assigned

_B64_END = r"(?![A-Za-z0-9+/=_-])"
"""Right edge of a token that ends in base64 (with ``+``, ``/`` and ``=`` padding)."""

RULES: tuple[Rule, ...] = (
    # --- Prefixed formats -----------------------------------------------------------------------------------
    rule(
        "adafruit-io-key",
        "Adafruit IO key",
        "high",
        ("aio_",),
        EDGE_LEFT + r"(aio_[A-Za-z0-9]{28})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "ADAFRUIT_IO_KEY=aio_{alnum:28}",
            'aio = Client("maker", "aio_{alnum:28}")',
        ),
        counter_examples=(
            "ADAFRUIT_IO_KEY=aio_{alnum:12}",
            "ADAFRUIT_IO_KEY=${{ADAFRUIT_IO_KEY}}",
        ),
        help="An Adafruit IO key: it reads and writes the account's feeds, dashboards and triggers through the "
        "REST and MQTT APIs. Regenerate it on io.adafruit.com under My Key (the old key stops working).",
    ),
    rule(
        "authress-service-client-key",
        "Authress service client access key",
        "high",
        ("sc_", "ext_", "scauth_", "authress_"),
        EDGE_LEFT
        + r"((?:sc|ext|scauth|authress)_[a-z0-9]{5,30}\.[a-z0-9]{4,6}\.acc[_-][a-z0-9-]{10,32}"
        + r"\.[A-Za-z0-9+/_=-]{30,120})"
        + _B64_END,
        min_entropy=3.5,
        requires=(".acc_", ".acc-"),
        examples=(
            "AUTHRESS_SERVICE_CLIENT_KEY=sc_{lowernum:10}.{lowernum:4}.acc_{lowernum:10}.{b64url:40}",
            'authress_key = "sc_{lowernum:12}.{lowernum:5}.acc-{lowernum:14}.{b64:64}"',
        ),
        counter_examples=(
            "AUTHRESS_SERVICE_CLIENT_KEY=sc_{lowernum:10}.{lowernum:4}.acc_{lowernum:10}.{b64url:12}",
            "service_client_id = sc_{lowernum:10}",
        ),
        help="An Authress service client access key: it calls the Authress API as the service client, with "
        "the permissions granted to it (users, roles, access records). Delete the key in the Authress "
        "management portal under Services > (the client) > Access keys.",
    ),
    rule(
        "clickhouse-cloud-api-secret",
        "ClickHouse Cloud API key secret",
        "high",
        ("4b1d",),
        EDGE_LEFT + r"(4b1d[A-Za-z0-9]{38})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "CLICKHOUSE_KEY_SECRET=4b1d{alnum:38}",
            'curl --user "{alnum:20}:4b1d{alnum:38}" https://api.clickhouse.cloud/v1/organizations',
        ),
        counter_examples=(
            "CLICKHOUSE_KEY_SECRET=4b1d{alnum:20}",
            "CLICKHOUSE_KEY_SECRET=${{CLICKHOUSE_KEY_SECRET}}",
        ),
        help="A ClickHouse Cloud API key secret: with its key id it manages the organisation's services, "
        "members and backups through the Cloud API, with the key's role. Delete the key in the ClickHouse "
        "Cloud console under Organization > API keys.",
    ),
    rule(
        "flyio-access-token",
        "Fly.io access token",
        "high",
        ("fo1_", "fm1a_", "fm1r_", "fm2_"),
        EDGE_LEFT + r"(fo1_[A-Za-z0-9_-]{43}|fm(?:1[ar]|2)_[A-Za-z0-9+/]{100,}={0,3})" + _B64_END,
        min_entropy=3.5,
        examples=(
            "FLY_API_TOKEN=fo1_{b64url:43}",
            'FLY_API_TOKEN="FlyV1 fm2_{b64:180}=="',
            "  fly_token: fm1r_{b64:120}",
        ),
        counter_examples=(
            "FLY_API_TOKEN=fo1_{b64url:20}",
            "FLY_API_TOKEN=fm2_{b64:40}",
        ),
        help="A Fly.io access token (personal, organisation, deploy or macaroon token): it deploys, scales "
        "and reads the secrets of the apps it is scoped to. Revoke it with `fly tokens revoke` or in the "
        "dashboard under Account > Access Tokens (or the organisation's Tokens page).",
    ),
    rule(
        "harness-api-key",
        "Harness personal or service account token",
        "high",
        ("pat.", "sat."),
        EDGE_LEFT + r"((?:pat|sat)\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "HARNESS_API_KEY=pat.{b64url:22}.{alnum:24}.{alnum:20}",
            'harness_token: "sat.{b64url:22}.{alnum:24}.{alnum:20}"',
        ),
        counter_examples=(
            "HARNESS_API_KEY=pat.{b64url:22}.{alnum:10}",
            "HARNESS_API_KEY=${{HARNESS_API_KEY}}",
        ),
        help="A Harness API token (personal access token or service account token): it calls the Harness "
        "APIs with its owner's roles, to run pipelines and read or change projects, connectors and secrets. "
        "Delete it under My Profile > My API Keys, or the service account's API keys in Access Control.",
    ),
    rule(
        "infracost-api-token",
        "Infracost API token",
        "high",
        ("ico-",),
        EDGE_LEFT + r"(ico-[A-Za-z0-9]{32})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "INFRACOST_API_KEY=ico-{alnum:32}",
            "infracost configure set api_key ico-{alnum:32}",
        ),
        counter_examples=(
            "INFRACOST_API_KEY=ico-{alnum:12}",
            "INFRACOST_API_KEY=${{INFRACOST_API_KEY}}",
        ),
        help="An Infracost API key: it prices Terraform plans against the organisation's account and sends "
        "cost estimates to Infracost Cloud. Rotate it in Infracost Cloud under Org Settings > API tokens.",
    ),
    rule(
        "intra42-client-secret",
        "Intra API client secret (42 school network)",
        "high",
        ("s-s4t2ud-", "s-s4t2af-"),
        EDGE_LEFT + r"(s-s4t2(?:ud|af)-[0-9a-f]{64})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "FT_CLIENT_SECRET=s-s4t2ud-{hex:64}",
            'INTRA_SECRET = "s-s4t2af-{hex:64}"',
        ),
        counter_examples=(
            "FT_CLIENT_SECRET=s-s4t2ud-{hex:20}",
            "FT_CLIENT_UID=u-s4t2ud-{hex:64}",
        ),
        help="A 42 school Intra API application secret: with the application's uid it obtains OAuth tokens "
        "and reads student, campus and project data through api.intra.42.fr. Regenerate it on the "
        "application's page under profile.intra.42.fr > Settings > API.",
    ),
    rule(
        "maxmind-license-key",
        "MaxMind license key",
        "high",
        ("_mmk",),
        EDGE_LEFT + r"([A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk)" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "MAXMIND_LICENSE_KEY={alnum:6}_{alnum:29}_mmk",
            "LicenseKey {alnum:6}_{alnum:29}_mmk",
        ),
        counter_examples=(
            "MAXMIND_LICENSE_KEY={alnum:6}_{alnum:12}_mmk",
            "MAXMIND_LICENSE_KEY=${{MAXMIND_LICENSE_KEY}}",
        ),
        help="A MaxMind license key: it downloads the GeoIP2/GeoLite2 databases and queries the GeoIP web "
        "services on the account's subscription. Deactivate it on maxmind.com under Manage License Keys.",
    ),
    rule(
        "octopus-deploy-api-key",
        "Octopus Deploy API key",
        "high",
        ("api-",),
        r"(?<![A-Za-z0-9_-])(API-[A-Z0-9]{26,32})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "OCTOPUS_API_KEY=API-{uppernum:26}",
            'octo push --server https://octo.acme.io --apiKey "API-{uppernum:30}"',
        ),
        counter_examples=(
            "OCTOPUS_API_KEY=API-{uppernum:12}",
            "X-API-KEY: {uppernum:26}",
        ),
        help="An Octopus Deploy API key: it acts as its user on the Octopus server, creating releases, "
        "running deployments and reading variables. Revoke it under Profile > My API Keys.",
    ),
    rule(
        "openshift-user-token",
        "OpenShift user token",
        "high",
        ("sha256~",),
        EDGE_LEFT + r"(sha256~[A-Za-z0-9_-]{43})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "oc login --token=sha256~{b64url:43} --server=https://api.ocp.acme.io:6443",
            '    token: "sha256~{b64url:43}"',
        ),
        counter_examples=(
            "oc login --token=sha256~{b64url:20}",
            "digest: sha256:{hex:64}",
        ),
        help="An OpenShift OAuth access token: it authenticates to the cluster's API as its user, with "
        "their roles in every project. Revoke it with `oc delete oauthaccesstoken` (or `oc logout`) or in "
        "the console under the user's API tokens.",
    ),
    rule(
        "readme-api-token",
        "ReadMe API key",
        "high",
        ("rdme_",),
        EDGE_LEFT + r"(rdme_[a-z0-9]{70})" + EDGE_RIGHT,
        min_entropy=3.0,
        mixed=True,
        examples=(
            "README_API_KEY=rdme_{lowernum:70}",
            'rdme openapi --key="rdme_{lowernum:70}"',
        ),
        counter_examples=(
            "README_API_KEY=rdme_{lowernum:30}",
            "README_API_KEY=${{README_API_KEY}}",
        ),
        help="A ReadMe API key: it uploads and changes the project's API definitions, docs and changelogs "
        "on readme.com. Revoke it in the project dashboard under API Keys.",
    ),
    rule(
        "scalingo-api-token",
        "Scalingo API token",
        "high",
        ("tk-us-",),
        EDGE_LEFT + r"(tk-us-[A-Za-z0-9_-]{48})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "SCALINGO_API_TOKEN=tk-us-{b64url:48}",
            "scalingo login --api-token tk-us-{b64url:48}",
        ),
        counter_examples=(
            "SCALINGO_API_TOKEN=tk-us-{b64url:20}",
            "SCALINGO_API_TOKEN=${{SCALINGO_API_TOKEN}}",
        ),
        help="A Scalingo API token: it deploys, scales and reads the environment of every app its user can "
        "reach. Revoke it in the dashboard under User settings > API tokens.",
    ),
    rule(
        "settlemint-token",
        "SettleMint access token",
        "high",
        ("sm_pat_", "sm_aat_", "sm_sat_"),
        EDGE_LEFT + r"(sm_(?:pat|aat|sat)_[A-Za-z0-9]{16})" + EDGE_RIGHT,
        min_entropy=3.0,
        mixed=True,
        examples=(
            "SETTLEMINT_ACCESS_TOKEN=sm_pat_{alnum:16}",
            'settlemint: {{ token: "sm_aat_{alnum:16}" }}',
            "SETTLEMINT_TOKEN=sm_sat_{alnum:16}",
        ),
        counter_examples=(
            "SETTLEMINT_ACCESS_TOKEN=sm_pat_{alnum:8}",
            "SETTLEMINT_ACCESS_TOKEN=${{SETTLEMINT_ACCESS_TOKEN}}",
        ),
        help="A SettleMint personal, application or service access token: it manages and calls the "
        "workspace's blockchain nodes, middleware and applications. Delete it in the SettleMint console "
        "under Personal access tokens or the application's Access tokens.",
    ),
    rule(
        "sourcegraph-access-token",
        "Sourcegraph access token",
        "high",
        ("sgp_",),
        EDGE_LEFT + r"(sgp_(?:(?:[0-9a-f]{16}|local)_)?[0-9a-f]{40})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "SRC_ACCESS_TOKEN=sgp_{hex:16}_{hex:40}",
            'sourcegraph_token: "sgp_{hex:40}"',
            "SRC_ACCESS_TOKEN=sgp_local_{hex:40}",
        ),
        counter_examples=(
            "SRC_ACCESS_TOKEN=sgp_{hex:20}",
            "SRC_ACCESS_TOKEN=${{SRC_ACCESS_TOKEN}}",
        ),
        help="A Sourcegraph access token: it searches the instance's code and calls its GraphQL API as its "
        "user (site admin tokens can change the instance). Delete it under Settings > Access tokens.",
    ),
    rule(
        "sidekiq-credentials",
        "Sidekiq Pro/Enterprise gem server credentials",
        "high",
        ("contribsys",),
        r"(?:(?i:BUNDLE_(?:ENTERPRISE|GEMS)__CONTRIBSYS__COM)[\"']?[ \t]*[:=][ \t]*[\"']?"
        r"|(?:gems|enterprise)\.contribsys\.com[\"']?[ \t]+[\"']?)"
        r"([0-9a-f]{8}:[0-9a-f]{8})" + EDGE_RIGHT,
        min_entropy=2.5,
        examples=(
            "BUNDLE_ENTERPRISE__CONTRIBSYS__COM={hex:8}:{hex:8}",
            'BUNDLE_GEMS__CONTRIBSYS__COM: "{hex:8}:{hex:8}"',
            "bundle config --local gems.contribsys.com {hex:8}:{hex:8}",
        ),
        counter_examples=(
            "BUNDLE_GEMS__CONTRIBSYS__COM=${{SIDEKIQ_CREDENTIALS}}",
            'source "https://gems.contribsys.com/" do',
        ),
        help="The username and password of a Sidekiq Pro or Enterprise licence: they download the commercial "
        "gems from Contributed Systems' gem server. Ask support@contribsys.com to rotate them.",
    ),
    # --- Context rules: the provider's name in the key ------------------------------------------------------
    rule(
        "confluent-api-secret",
        "Confluent Cloud API secret",
        "medium",
        ("confluent",),
        assigned(r"confluent[a-z0-9_.-]{0,20}?(?:secret|password)", r"[A-Za-z0-9+/]{64}", _B64_END),
        min_entropy=4.0,
        mixed=True,
        examples=(
            "CONFLUENT_CLOUD_API_SECRET={alnum:64}",
            'confluent_api_secret: "{b64:64}"',
        ),
        counter_examples=(
            "CONFLUENT_CLOUD_API_SECRET=${{CONFLUENT_CLOUD_API_SECRET}}",
            "CONFLUENT_CLOUD_API_SECRET={alnum:30}",
        ),
        help="A Confluent Cloud API secret: with its API key it produces and consumes Kafka messages or "
        "manages the organisation's clusters, depending on the key's scope. Delete the key under "
        "Administration > API keys in the Confluent Cloud console.",
    ),
    rule(
        "freemius-secret-key",
        "Freemius secret key",
        "medium",
        ("freemius",),
        assigned(r"freemius[a-z0-9_.-]{0,20}?(?:secret|key)", r"sk_[A-Za-z0-9]{29}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "FREEMIUS_SECRET_KEY=sk_{alnum:29}",
            "'freemius_secret_key' => 'sk_{alnum:29}',",
        ),
        counter_examples=(
            "FREEMIUS_SECRET_KEY=sk_{alnum:10}",
            "FREEMIUS_PUBLIC_KEY=pk_{alnum:29}",
        ),
        help="A Freemius product or developer secret key: it signs API calls that manage the product's "
        "plans, licences, installs and payments. Rotate it in the Freemius dashboard under Settings > Keys.",
    ),
    rule(
        "gitter-access-token",
        "Gitter access token",
        "medium",
        ("gitter",),
        assigned(r"gitter[a-z0-9_.-]{0,20}?(?:token|api_?key|key)", r"[0-9a-f]{40}"),
        min_entropy=3.0,
        examples=(
            "GITTER_TOKEN={hex:40}",
            'gitter_access_token: "{hex:40}"',
        ),
        counter_examples=(
            "GITTER_TOKEN=${{GITTER_TOKEN}}",
            "GITTER_TOKEN={hex:20}",
        ),
        help="A Gitter personal access token: it reads and posts messages in the user's rooms through the "
        "Gitter API. Revoke it at developer.gitter.im (or by signing out of every Gitter session).",
    ),
    rule(
        "intercom-access-token",
        "Intercom access token",
        "medium",
        ("intercom",),
        assigned(r"intercom[a-z0-9_.-]{0,20}?(?:token|api_?key|key)", r"[A-Za-z0-9+/_-]{59}=", _B64_END),
        min_entropy=4.0,
        examples=(
            "INTERCOM_ACCESS_TOKEN={b64:59}=",
            'intercom_token: "{b64url:59}="',
        ),
        counter_examples=(
            "INTERCOM_ACCESS_TOKEN=${{INTERCOM_ACCESS_TOKEN}}",
            "INTERCOM_ACCESS_TOKEN={b64:30}=",
        ),
        help="An Intercom access token: it reads and changes the workspace's contacts, conversations and "
        "articles through the Intercom API. Regenerate it in the Developer Hub under the app's "
        "Authentication page.",
    ),
    rule(
        "looker-client-secret",
        "Looker API client secret",
        "medium",
        ("looker",),
        assigned(r"looker[a-z0-9_.-]{0,20}?(?:client[_.-]?)?secret", r"[A-Za-z0-9]{24}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "LOOKERSDK_CLIENT_SECRET={alnum:24}",
            'looker_client_secret = "{alnum:24}"',
        ),
        counter_examples=(
            "LOOKERSDK_CLIENT_SECRET=${{LOOKERSDK_CLIENT_SECRET}}",
            "LOOKERSDK_CLIENT_SECRET={alnum:10}",
        ),
        help="A Looker API3 client secret: with its client id it logs in to the Looker API as the user that "
        "owns the key, reading their data and content. Delete it under Admin > Users > (the user) > Edit "
        "API Keys.",
    ),
    rule(
        "messagebird-api-key",
        "MessageBird (Bird) API key",
        "medium",
        ("messagebird", "message_bird", "message-bird"),
        assigned(r"message[_.-]?bird[a-z0-9_.-]{0,20}?(?:token|api_?key|key)", r"[A-Za-z0-9]{25}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "MESSAGEBIRD_API_KEY={alnum:25}",
            'messagebird_access_key: "{alnum:25}"',
        ),
        counter_examples=(
            "MESSAGEBIRD_API_KEY=${{MESSAGEBIRD_API_KEY}}",
            "MESSAGEBIRD_API_KEY={alnum:12}",
        ),
        help="A MessageBird (now Bird) API access key: it sends SMS, voice and WhatsApp messages billed to "
        "the account and reads its message history. Delete it in the dashboard under Developers > API "
        "access.",
    ),
    rule(
        "rapidapi-key",
        "RapidAPI key",
        "medium",
        ("rapidapi", "rapid_api", "rapid-api"),
        assigned(r"rapid[_.-]?api[a-z0-9_.-]{0,20}?(?:token|key)", r"[A-Za-z0-9_-]{50}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "RAPIDAPI_KEY={alnum:50}",
            "headers = {{'X-RapidAPI-Key': '{alnum:50}', 'X-RapidAPI-Host': 'weather.p.rapidapi.com'}}",
        ),
        counter_examples=(
            "RAPIDAPI_KEY=${{RAPIDAPI_KEY}}",
            "RAPIDAPI_KEY={alnum:20}",
        ),
        help="A RapidAPI application key: it calls every API the account subscribes to, billed to it. "
        "Rotate it in RapidAPI Studio under the app's Authorization page.",
    ),
    rule(
        "sendbird-api-token",
        "Sendbird API token",
        "medium",
        ("sendbird",),
        assigned(r"sendbird[a-z0-9_.-]{0,20}?(?:token|api_?key|key)", r"[0-9a-f]{40}"),
        min_entropy=3.0,
        examples=(
            "SENDBIRD_API_TOKEN={hex:40}",
            '-H "Api-Token: {hex:40}" https://api-{HEX:8}.sendbird.com  # sendbird_api_token: {hex:40}',
        ),
        counter_examples=(
            "SENDBIRD_API_TOKEN=${{SENDBIRD_API_TOKEN}}",
            "SENDBIRD_APP_ID={HEX:8}-{HEX:4}-{HEX:4}-{HEX:4}-{HEX:12}",
        ),
        help="A Sendbird master or secondary API token: it calls the application's Platform API, reading and "
        "sending messages and managing users and channels. Revoke it in the Sendbird dashboard under "
        "Settings > Application > General > API tokens.",
    ),
    rule(
        "snyk-api-token",
        "Snyk API token",
        "medium",
        ("snyk",),
        assigned(r"snyk[a-z0-9_.-]{0,20}?(?:token|api_?key|key|auth)", UUID),
        min_entropy=3.0,
        examples=(
            "SNYK_TOKEN=" + UUID_EXAMPLE,
            "snyk auth " + UUID_EXAMPLE + "  # snyk_api_key: " + UUID_EXAMPLE,
        ),
        counter_examples=(
            "SNYK_TOKEN=${{SNYK_TOKEN}}",
            "SNYK_ORG_ID=" + UUID_EXAMPLE,
        ),
        help="A Snyk API token (personal or service account): it runs tests and reads or changes the "
        "projects and issues of its organisations. Revoke it under Account settings > Auth Token, or delete "
        "the service account.",
    ),
    rule(
        "sumologic-access-key",
        "Sumo Logic access key",
        "medium",
        ("sumo",),
        assigned(
            r"sumo[_.-]?(?:logic)?[a-z0-9_.-]{0,20}?(?:access[_.-]?key|secret|token)", r"[A-Za-z0-9]{64}"
        ),
        min_entropy=4.0,
        mixed=True,
        examples=(
            "SUMOLOGIC_ACCESSKEY={alnum:64}",
            'sumo_access_key: "{alnum:64}"',
        ),
        counter_examples=(
            "SUMOLOGIC_ACCESSKEY=${{SUMOLOGIC_ACCESSKEY}}",
            "SUMOLOGIC_ACCESSKEY={alnum:20}",
        ),
        help="A Sumo Logic access key: with its access id it calls the Sumo Logic APIs as its user, searching "
        "logs and changing collectors, monitors and content. Delete it under Administration > Security > "
        "Access Keys.",
    ),
)
