"""Observability and incident tools: New Relic, Sentry, Grafana, Dynatrace, Datadog, PagerDuty."""

from __future__ import annotations

from cdev_tui.security.rules.base import EDGE_LEFT, EDGE_RIGHT, Rule, rule
from cdev_tui.security.rules.keys import assigned

_B64_END = r"(?![A-Za-z0-9+/=_-])"
"""Right edge of a token that ends in base64 (with ``+``, ``/`` and ``=`` padding)."""

RULES: tuple[Rule, ...] = (
    rule(
        "newrelic-user-api-key",
        "New Relic user or admin API key",
        "high",
        ("nrak-", "nraa-"),
        EDGE_LEFT + r"(NRA[AK]-[A-Za-z0-9]{27})" + EDGE_RIGHT,
        min_entropy=3.3,
        mixed=True,
        examples=(
            "NEW_RELIC_API_KEY=NRAK-{uppernum:27}",
            'curl https://api.newrelic.com/graphql -H "API-Key: NRAK-{uppernum:27}"',
            "NEW_RELIC_ADMIN_API_KEY=NRAA-{hex:27}",
        ),
        counter_examples=(
            "NEW_RELIC_API_KEY=NRAK-{uppernum:10}",
            "NEW_RELIC_API_KEY=NRAK-{=XXXXXXXXXXXXXXXXXXXXXXXXXXX}",
        ),
        help="A New Relic user API key (NRAK-) or legacy admin key (NRAA-): it queries all of the account's "
        "data through NerdGraph and changes its configuration as the user. Delete it in the API keys UI.",
    ),
    rule(
        "newrelic-insights-key",
        "New Relic Insights insert or query key",
        "high",
        ("nrii-", "nriq-"),
        EDGE_LEFT + r"(NRI[IQ]-[A-Za-z0-9_-]{32})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "NEW_RELIC_INSERT_KEY=NRII-{b64url:32}",
            'curl -H "X-Query-Key: NRIQ-{b64url:32}" https://insights-api.newrelic.com/v1/accounts/1/query',
        ),
        counter_examples=(
            "NEW_RELIC_INSERT_KEY=NRII-{b64url:10}",
            "NEW_RELIC_INSERT_KEY=${{NEW_RELIC_INSERT_KEY}}",
        ),
        help="A New Relic Insights key: an insert key (NRII-) sends events into the account, a query key "
        "(NRIQ-) reads all of its event data. Delete it in the API keys UI.",
    ),
    rule(
        "newrelic-license-key",
        "New Relic ingest license key",
        "high",
        ("nral",),
        EDGE_LEFT + r"([A-Za-z0-9]{36}NRAL)" + EDGE_RIGHT,
        min_entropy=3.0,
        mixed=True,
        examples=(
            "NEW_RELIC_LICENSE_KEY={hex:36}NRAL",
            "  license_key: eu01xx{hex:30}NRAL",
        ),
        counter_examples=(
            "NEW_RELIC_LICENSE_KEY={hex:20}NRAL",
            "NEW_RELIC_LICENSE_KEY=${{NEW_RELIC_LICENSE_KEY}}",
        ),
        help="A New Relic ingest license key: it reports metrics, events, logs and traces into the account "
        "(and so can pollute or flood it). Create a new key and delete the old one in the API keys UI.",
    ),
    rule(
        "newrelic-browser-key",
        "New Relic browser API key",
        "low",
        ("nrjs-",),
        EDGE_LEFT + r"(NRJS-[0-9a-f]{19})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "NEW_RELIC_BROWSER_KEY=NRJS-{hex:19}",
            ';NREUM.loader_config={{accountID:"1234",licenseKey:"NRJS-{hex:19}",applicationID:"5678"}};',
        ),
        counter_examples=(
            "NEW_RELIC_BROWSER_KEY=NRJS-{hex:8}",
            "NEW_RELIC_BROWSER_KEY=${{NEW_RELIC_BROWSER_KEY}}",
        ),
        help="A New Relic browser ingest key: it is shipped in the page's monitoring snippet and only sends "
        "browser data into the account. Rotate it in the API keys UI if it is abused.",
    ),
    rule(
        "sentry-org-token",
        "Sentry organisation auth token",
        "high",
        ("sntrys_",),
        EDGE_LEFT + r"(sntrys_eyJpYXQiO[A-Za-z0-9+/]{20,400}={0,2}_[A-Za-z0-9+/]{43})" + _B64_END,
        min_entropy=4.0,
        examples=(
            "SENTRY_AUTH_TOKEN=sntrys_eyJpYXQiOjE3{b64:150}_{b64:43}",
            '  authToken: "sntrys_eyJpYXQiOjE3{b64:149}=_{b64:43}"',
        ),
        counter_examples=(
            "SENTRY_AUTH_TOKEN=sntrys_{b64:20}",
            "SENTRY_AUTH_TOKEN=${{SENTRY_AUTH_TOKEN}}",
        ),
        help="A Sentry organisation auth token: it uploads source maps and debug files and creates releases "
        "for the organisation. Revoke it under Settings > Developer Settings > Organization Tokens.",
    ),
    rule(
        "sentry-user-token",
        "Sentry user auth token",
        "high",
        ("sntryu_",),
        EDGE_LEFT + r"(sntryu_[0-9a-f]{64})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "SENTRY_AUTH_TOKEN=sntryu_{hex:64}",
            "sentry-cli --auth-token sntryu_{hex:64} releases list",
        ),
        counter_examples=(
            "SENTRY_AUTH_TOKEN=sntryu_{hex:20}",
            "SENTRY_AUTH_TOKEN=sntryu_{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
        ),
        help="A Sentry user auth token: within its scopes it reads issues and events and changes projects as "
        "its user. Revoke it under User Settings > Personal Tokens in Sentry.",
    ),
    rule(
        "sentry-dsn-secret",
        "Sentry DSN with a secret key",
        "medium",
        ("sentry",),
        r"https?://[0-9a-f]{32}:([0-9a-f]{32})@[A-Za-z0-9.-]+(?::[0-9]{1,5})?/(?:[A-Za-z0-9._-]+/)*[0-9]+",
        min_entropy=3.0,
        examples=(
            "SENTRY_DSN=https://{hex:32}:{hex:32}@o{digits:6}.ingest.sentry.io/{digits:7}",
            "Raven.config('https://{hex:32}:{hex:32}@sentry.acme.internal/12').install();",
        ),
        counter_examples=(
            "SENTRY_DSN=https://{hex:32}@o{digits:6}.ingest.sentry.io/{digits:7}",
            "SENTRY_DSN=${{SENTRY_DSN}}",
        ),
        help="A legacy Sentry DSN that carries the project's secret key: it submits events to the project as "
        "a trusted server client. Revoke the client key under Project Settings > Client Keys (DSN) and use a "
        "DSN without the secret part.",
    ),
    rule(
        "grafana-cloud-token",
        "Grafana Cloud access policy token",
        "high",
        ("glc_",),
        EDGE_LEFT + r"(glc_[A-Za-z0-9+/]{32,400}={0,2})" + _B64_END,
        min_entropy=4.0,
        examples=(
            "GRAFANA_CLOUD_TOKEN=glc_eyJvIjoi{b64:120}",
            "Authorization: Bearer glc_eyJvIjoi{b64:140}==",
        ),
        counter_examples=(
            "GRAFANA_CLOUD_TOKEN=glc_{b64:10}",
            "GRAFANA_CLOUD_TOKEN=${{GRAFANA_CLOUD_TOKEN}}",
        ),
        help="A Grafana Cloud access policy (or Cloud API) token: within its policy it writes or reads "
        "metrics, logs and traces and manages the stack. Delete it under Administration > Users and access > "
        "Cloud access policies.",
    ),
    rule(
        "grafana-service-account-token",
        "Grafana service account token",
        "high",
        ("glsa_",),
        EDGE_LEFT + r"(glsa_[A-Za-z0-9]{32}_[0-9a-fA-F]{8})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "GRAFANA_SERVICE_ACCOUNT_TOKEN=glsa_{alnum:32}_{hex:8}",
            "Authorization: Bearer glsa_{alnum:32}_{hex:8}",
        ),
        counter_examples=(
            "GRAFANA_SERVICE_ACCOUNT_TOKEN=glsa_{alnum:10}_{hex:8}",
            "GRAFANA_SERVICE_ACCOUNT_TOKEN=${{GRAFANA_TOKEN}}",
        ),
        help="A Grafana service account token: it calls the Grafana HTTP API with the service account's role "
        "(dashboards, data sources, alerting). Delete it under Administration > Service accounts.",
    ),
    rule(
        "grafana-api-key",
        "Grafana API key (legacy)",
        "high",
        ("eyjrijoi",),
        EDGE_LEFT + r"(eyJrIjoi[A-Za-z0-9]{60,100}={0,2})" + _B64_END,
        min_entropy=4.0,
        examples=(
            "GRAFANA_API_KEY=eyJrIjoi{alnum:72}",
            'grafana_auth = "eyJrIjoi{alnum:70}=="',
        ),
        counter_examples=(
            "https://app.powerbi.com/view?r=eyJrIjoi{alnum:140}",
            "GRAFANA_API_KEY=eyJrIjoi{alnum:20}",
        ),
        help="A legacy Grafana API key: it calls the Grafana HTTP API with the key's role. Delete it (or "
        "migrate it to a service account token) under Administration > API keys.",
    ),
    rule(
        "dynatrace-token",
        "Dynatrace API token or OAuth client secret",
        "high",
        ("dt0c0", "dt0s0"),
        EDGE_LEFT + r"(dt0[cs][0-9]{2}\.[A-Z0-9]{24}\.[A-Z0-9]{64})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "DT_API_TOKEN=dt0c01.{uppernum:24}.{uppernum:64}",
            'curl -H "Authorization: Api-Token dt0c01.{uppernum:24}.{uppernum:64}" '
            "https://abc12345.live.dynatrace.com/api/v2/metrics",
            "DT_CLIENT_SECRET=dt0s02.{uppernum:24}.{uppernum:64}",
        ),
        counter_examples=(
            "DT_TOKEN_ID=dt0c01.{uppernum:24}",
            "DT_API_TOKEN=${{DT_API_TOKEN}}",
        ),
        help="A Dynatrace access token (dt0c01) or OAuth client secret (dt0s): within its scopes it ingests "
        "data, reads monitoring data or changes the environment's configuration. Revoke it under Access "
        "Tokens (or Account Management > OAuth clients).",
    ),
    rule(
        "datadog-api-key",
        "Datadog API key",
        "high",
        ("datadog", "dd_api", "dd-api", "dd.api", "ddapi"),
        assigned(r"(?<![A-Za-z0-9])(?:datadog[a-z0-9_.-]{0,20}?|dd[_.-]?)api[_.-]?key", r"[0-9a-f]{32}"),
        min_entropy=3.0,
        examples=(
            "DD_API_KEY={hex:32}",
            'curl -X POST https://api.datadoghq.com/api/v2/series -H "DD-API-KEY: {hex:32}"',
            'datadog_api_key = "{hex:32}"',
        ),
        counter_examples=(
            "DD_API_KEY=${{DD_API_KEY}}",
            "DD_API_KEY={hex:20}",
        ),
        help="A Datadog API key: it submits metrics, logs and events to the organisation and, with an "
        "application key, authorises API calls. Revoke it under Organization Settings > API Keys.",
    ),
    rule(
        "datadog-app-key",
        "Datadog application key",
        "high",
        ("datadog", "dd_app", "dd-app", "dd.app", "ddapp"),
        assigned(
            r"(?<![A-Za-z0-9])(?:datadog[a-z0-9_.-]{0,20}?|dd[_.-]?)app(?:lication)?[_.-]?key",
            r"[0-9a-f]{40}",
        ),
        min_entropy=3.0,
        examples=(
            "DD_APP_KEY={hex:40}",
            '-H "DD-APPLICATION-KEY: {hex:40}"',
            "datadog_app_key: {hex:40}",
            '    "ddAppKey": "{hex:40}",',
            'props.setProperty("dd.app.key", "{hex:40}");',
        ),
        counter_examples=(
            "DD_APP_KEY=${{DD_APP_KEY}}",
            "DD_APP_KEY={hex:32}",
        ),
        help="A Datadog application key: with an API key it reads and changes the organisation's dashboards, "
        "monitors and data as the user who owns it. Revoke it under Organization Settings > Application "
        "Keys.",
    ),
    rule(
        "pagerduty-api-key",
        "PagerDuty API key or integration key",
        "medium",
        ("pagerduty", "pager_duty"),
        assigned(
            r"pager_?duty[a-z0-9_.-]{0,20}?(?:token|key)",
            # a user token, a 20-character API key (upper and lower case: not a hyphenated name), an
            # Events integration key
            r"u\+[A-Za-z0-9_-]{18}|(?=[A-Za-z0-9_+-]{0,19}[A-Z])(?=[A-Za-z0-9_+-]{0,19}[a-z])"
            r"[A-Za-z0-9_+-]{20}|[0-9a-f]{32}",
        ),
        min_entropy=3.0,
        mixed=True,
        examples=(
            "PAGERDUTY_API_TOKEN={alnum:20}",
            'pagerduty_token = "u+{alnum:18}"',
            "PAGERDUTY_INTEGRATION_KEY={hex:32}",
        ),
        counter_examples=(
            "PAGERDUTY_API_TOKEN=${{PAGERDUTY_API_TOKEN}}",
            "PAGERDUTY_SERVICE_KEY={alnum:12}",
            "PAGERDUTY_ROUTING_KEY=production-alerts-v2",
        ),
        help="A PagerDuty REST API key (account or user token) or an Events integration key: it reads and "
        "changes incidents, schedules and services, or triggers alerts. Delete it under Integrations > API "
        "Access Keys (or regenerate the service's integration key).",
    ),
)
