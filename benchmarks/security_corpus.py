"""An evaluation corpus for secret scanners, generated at run time: planted secrets, decoys and ordinary code.

:func:`generate` writes a small monorepo of about two hundred files (Python, JS/TS, Go, Java, C#, Ruby, PHP,
Rust, shell, YAML for Kubernetes, CI and Compose, JSON, TOML, INI and properties, .env, Dockerfiles,
Terraform, XML, Markdown, HTML, lock files, credential files such as .npmrc/.pypirc/.netrc, PEM files and
notebooks) and returns a :class:`Manifest` of what it planted:

- **planted secrets**: each written from the provider's *public* token format (prefix, length, alphabet, as
  documented by the provider), not from any scanner's rules, and placed the way people leak them: config
  files, code constants, test fixtures, CI files, docs snippets, curl commands and headers;
- **decoys**: lines a good scanner must leave alone: placeholders, references to the environment or a CI
  secret store, documented EXAMPLE keys, git SHAs, hashes under hash-like names, UUIDs, base64 of images and
  protobufs, lock-file integrity hashes, minified JS, i18n strings about passwords, obviously fake test
  tokens, regexes describing token formats, public keys and certificates, publishable keys, encrypted
  values, and truncated lookalikes of real formats.

Random parts come from a seeded RNG, so every run writes the same corpus. No secret-looking literal
appears in this file: prefixes are assembled by concatenation and bodies are drawn at run time.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import string
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SEED = 20240611

ALPHABETS: dict[str, str] = {
    "alnum": string.ascii_letters + string.digits,
    "letters": string.ascii_letters,
    "lower": string.ascii_lowercase,
    "upper": string.ascii_uppercase,
    "digits": string.digits,
    "hex": "0123456789abcdef",
    "HEX": "0123456789ABCDEF",
    "lowernum": string.ascii_lowercase + string.digits,
    "uppernum": string.ascii_uppercase + string.digits,
    "b32": string.ascii_uppercase + "234567",
    "b32lower": string.ascii_lowercase + "234567",
    "b64": string.ascii_letters + string.digits + "+/",
    "b64url": string.ascii_letters + string.digits + "-_",
    "bech32": "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",
    "azure": string.ascii_letters + string.digits + "_~.-",
    "django": string.ascii_lowercase + string.digits + "!@%^&*(-_=+)",
    "bcrypt": string.ascii_letters + string.digits + "./",
}
_FIELD = re.compile(r"\{(?:=(?P<choices>[^{}]*)|(?P<cls>[A-Za-z0-9]+):(?P<low>\d+)(?:-(?P<high>\d+))?)\}")


def fill(template: str, rng: random.Random) -> str:
    """``template`` with each ``{class:n}``, ``{class:a-b}`` or ``{=x|y}`` field drawn from ``rng``."""

    def one(match: re.Match[str]) -> str:
        if match["choices"] is not None:
            return rng.choice(match["choices"].split("|"))
        low = int(match["low"])
        length = rng.randint(low, int(match["high"])) if match["high"] else low
        alphabet = ALPHABETS[match["cls"]]
        return "".join(rng.choice(alphabet) for _ in range(length))

    return _FIELD.sub(one, template)


# --- the manifest --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planted:
    """A planted secret: where it is (``line`` to ``end``, 1-based, inclusive), its format and its value."""

    path: str
    line: int
    end: int
    kind: str
    group: str
    value: str

    @property
    def masked(self) -> str:
        """The value with all but a short prefix hidden, fit to print."""
        return mask(self.value)


@dataclass(frozen=True)
class Decoy:
    """A line (or block of lines) that looks like a secret to a careless scanner but is not one."""

    path: str
    line: int
    end: int
    kind: str


@dataclass
class Manifest:
    root: Path
    files: list[str] = field(default_factory=list)
    planted: list[Planted] = field(default_factory=list)
    decoys: list[Decoy] = field(default_factory=list)

    @property
    def kinds(self) -> set[str]:
        return {p.kind for p in self.planted}

    @property
    def decoy_kinds(self) -> set[str]:
        return {d.kind for d in self.decoys}


def mask(value: str) -> str:
    """A printable stand-in for a secret: at most four leading characters (fewer for short values)."""
    first = value.split("\n", 1)[0]
    shown = first[: min(4, len(first) // 5)]
    return f"{shown}******** ({len(value)} chars)"


# --- value makers --------------------------------------------------------------------------------------------


def uuid4(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:32]}"


def b64(raw: bytes, url: bool = False, pad: bool = True) -> str:
    text = (base64.urlsafe_b64encode(raw) if url else base64.b64encode(raw)).decode()
    return text if pad else text.rstrip("=")


def _jwt(rng: random.Random, claims: dict[str, object], alg: str = "HS256") -> str:
    header = b64(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode(), url=True, pad=False)
    payload = b64(json.dumps(claims, separators=(",", ":")).encode(), url=True, pad=False)
    signature = b64(rng.randbytes(256 if alg.startswith("RS") else 32), url=True, pad=False)
    return f"{header}.{payload}.{signature}"


def jwt_token(rng: random.Random) -> str:
    now = 1_700_000_000 + rng.randint(0, 30_000_000)
    claims = rng.choice(
        [
            {
                "sub": str(rng.randint(10_000, 99_999)),
                "name": "svc-billing",
                "iat": now,
                "exp": now + 86_400 * 365,
            },
            {
                "iss": "supabase",
                "ref": fill("{lower:20}", rng),
                "role": "service_role",
                "iat": now,
                "exp": now + 10**8,
            },
            {
                "iss": "https://auth.acme.io/",
                "aud": "api",
                "scope": "admin",
                "iat": now,
                "exp": now + 3600 * 24 * 90,
            },
        ]
    )
    return _jwt(rng, claims, rng.choice(["HS256", "RS256"]))


def _pem(label: str, der: bytes, width: int = 64) -> str:
    body = b64(der)
    rows = [body[i : i + width] for i in range(0, len(body), width)]
    return "\n".join(["-----BEGIN " + label + "-----", *rows, "-----END " + label + "-----"])


def _key_label(kind: str) -> str:
    return (kind + " " if kind else "") + "PRIVATE" + " KEY"


def rsa_key(rng: random.Random) -> str:
    der = bytes.fromhex("308204a40201000282010100") + rng.randbytes(1180)
    return _pem(_key_label("RSA"), der)


def ec_key(rng: random.Random) -> str:
    der = (
        bytes.fromhex("30770201010420")
        + rng.randbytes(32)
        + bytes.fromhex("a00a06082a8648ce3d030107a144034200")
    )
    return _pem(_key_label("EC"), der + rng.randbytes(65))


def pkcs8_key(rng: random.Random) -> str:
    der = bytes.fromhex("308204be020100300d06092a864886f70d0101010500048204a8") + rng.randbytes(1192)
    return _pem(_key_label(""), der)


def dsa_key(rng: random.Random) -> str:
    der = bytes.fromhex("308201bb02010002818100") + rng.randbytes(430)
    return _pem(_key_label("DSA"), der)


def openssh_key(rng: random.Random) -> str:
    der = b"openssh-key-v1\x00" + struct.pack(">I", 4) + b"none" + struct.pack(">I", 4) + b"none"
    der += struct.pack(">I", 0) + struct.pack(">I", 1) + rng.randbytes(360)
    return _pem("OPENSSH " + _key_label(""), der, width=70)


def pgp_key(rng: random.Random) -> str:
    body = b64(bytes.fromhex("9503c604") + rng.randbytes(940))
    rows = [body[i : i + 64] for i in range(0, len(body), 64)]
    crc = "=" + b64(rng.randbytes(3))
    label = "PGP PRIVATE" + " KEY BLOCK"
    return "\n".join(["-----BEGIN " + label + "-----", "", *rows, crc, "-----END " + label + "-----"])


def putty_key(rng: random.Random) -> str:
    public = b64(struct.pack(">I", 11) + b"ssh-ed25519" + struct.pack(">I", 32) + rng.randbytes(32))
    private = b64(struct.pack(">I", 32) + rng.randbytes(32))
    return "\n".join(
        [
            "PuTTY-User-Key-File-3: ssh-ed25519",
            "Encryption: none",
            "Comment: ci@build-agent",
            "Public-Lines: 2",
            public[:64],
            public[64:],
            "Private-Lines: 1",
            private,
            "Private-MAC: " + fill("{hex:64}", rng),
        ]
    )


def discord_bot_token(rng: random.Random) -> str:
    user_id = str(rng.randint(10**17, 10**18 - 1)).encode()
    return b64(user_id, url=True, pad=False) + "." + fill("{b64url:6}.{b64url:38}", rng)


def azure_sas_url(rng: random.Random) -> str:
    sig = b64(rng.randbytes(32)).replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    return (
        fill(
            "https://{lower:10}.blob.core.windows.net/{=backups|uploads|exports}?sv=2022-11-02&ss=bfqt&srt=sco"
            "&sp=rwdlacupiytfx&se=2026-03-01T00:00:00Z&st=2024-03-01T00:00:00Z&spr=https&sig=",
            rng,
        )
        + sig
    )


def sentry_org_token(rng: random.Random) -> str:
    claims = {"iat": rng.randint(1_690_000_000, 1_720_000_000), "url": "https://sentry.io", "org": "acme"}
    claims["region_url"] = "https://us.sentry.io"
    return "sntry" + "s_" + b64(json.dumps(claims).encode(), pad=False) + "_" + fill("{b64:43}", rng)


def grafana_cloud_token(rng: random.Random) -> str:
    claims = {"o": str(rng.randint(100_000, 999_999)), "n": "stack-" + fill("{lowernum:6}", rng)}
    claims["k"] = fill("{alnum:24}", rng)
    claims["m"] = {"r": rng.choice(["us", "eu", "prod-us-east-0"])}
    return "gl" + "c_" + b64(json.dumps(claims, separators=(",", ":")).encode())


def grafana_legacy_key(rng: random.Random) -> str:
    claims = {"k": fill("{alnum:32}", rng), "n": "deploy-" + fill("{lower:5}", rng), "id": rng.randint(1, 99)}
    return b64(json.dumps(claims, separators=(",", ":")).encode())


def mapbox_secret(rng: random.Random) -> str:
    head = b64(
        json.dumps({"u": "acme-maps", "a": fill("cl{lowernum:23}", rng)}).encode(), url=True, pad=False
    )
    return "sk." + head + "." + fill("{b64url:22}", rng)


def twitter_bearer(rng: random.Random) -> str:
    return "A" * 22 + fill("{alnum:8}AAAAAAAA{alnum:16}%2B{alnum:12}%3D{alnum:50}", rng)


def docker_auth(rng: random.Random) -> str:
    return b64(("deploy-bot:" + "dck" + fill("r_pat_{b64url:27}", rng)).encode())


def kube_client_key(rng: random.Random) -> str:
    return b64((rsa_key(rng) + "\n").encode())


def k8s_secret_value(rng: random.Random) -> str:
    return b64(_password(rng).encode())


def basic_auth_header(rng: random.Random) -> str:
    return "Basic " + b64(f"{rng.choice(USERS)}:{_password(rng, url=True)}".encode())


WORDS = ["Summer", "Falcon", "Orchid", "Granite", "Harbor", "Nimbus", "Cobalt", "Maple", "Tundra", "Velvet"]
USERS = ["app", "deploy", "svc_billing", "etl", "admin", "api_user", "reporting", "root", "ci-bot", "backend"]
HOSTS = [
    "db.internal.acme.io",
    "prod-db-1.cluster-c9x2k.us-east-1.rds.amazonaws.com",
    "10.20.4.17",
    "pg.acme-prod.svc.cluster.local",
    "mysql-primary.acme.net",
    "orders-db.postgres.database.azure.com",
]


def _password(rng: random.Random, url: bool = False) -> str:
    if url:
        return fill(rng.choice(["{alnum:16-24}", "{alnum:8}-{alnum:8}", "{alnum:12}_{digits:4}"]), rng)
    shape = rng.randrange(3)
    if shape == 0:
        return rng.choice(WORDS) + rng.choice(WORDS).lower() + fill("{digits:4}{=!|%|*|.}", rng)
    if shape == 1:
        return fill("{alnum:6}{=!|^|%|*}{alnum:6}{=-|_|+|=}{alnum:6}", rng)
    return fill("{alnum:20-28}", rng)


def db_url(scheme: str) -> Callable[[random.Random], str]:
    def make(rng: random.Random) -> str:
        user, pw, host = rng.choice(USERS), _password(rng, url=True), rng.choice(HOSTS)
        db = rng.choice(["orders", "billing", "app_production", "analytics", "users"])
        if scheme == "postgres":
            prefix = rng.choice(["postgres", "postgresql", "postgresql+psycopg2"])
            return f"{prefix}://{user}:{pw}@{host}:5432/{db}"
        if scheme == "mysql":
            return f"{rng.choice(['mysql', 'mysql+pymysql'])}://{user}:{pw}@{host}:3306/{db}"
        if scheme == "mongodb":
            return f"mongodb+srv://{user}:{pw}@cluster0.{fill('{lowernum:5}', rng)}.mongodb.net/{db}?retryWrites=true&w=majority"
        if scheme == "redis":
            return rng.choice(
                [
                    f"redis://:{pw}@cache.acme.io:6379/0",
                    f"rediss://default:{pw}@redis-{fill('{digits:5}', rng)}.cloud.redislabs.com:6380",
                ]
            )
        if scheme == "amqp":
            return (
                f"amqp{rng.choice(['', 's'])}://{user}:{pw}@rabbit.acme.io:5672/{rng.choice(['%2F', 'jobs'])}"
            )
        if scheme == "jdbc":
            return rng.choice(
                [
                    f"jdbc:postgresql://{host}:5432/{db}?user={user}&password={pw}",
                    f"jdbc:mysql://{host}:3306/{db}?user={user}&password={pw}&useSSL=true",
                    f"jdbc:sqlserver://{host}:1433;databaseName={db};user={user};password={pw};encrypt=true",
                ]
            )
        if scheme == "adonet":
            return (
                f"Server=tcp:{fill('{lower:8}', rng)}.database.windows.net,1433;Initial Catalog={db};"
                f"Persist Security Info=False;User ID={user};Password={pw};MultipleActiveResultSets=False;"
                "Encrypt=True;TrustServerCertificate=False;Connection Timeout=30;"
            )
        if scheme == "https":
            return f"https://{user}:{pw}@{rng.choice(['git.acme.io', 'nexus.acme.io/repository/pypi/simple', 'ftp.partner.example.com'])}"
        raise ValueError(scheme)

    return make


def gcp_service_account(rng: random.Random) -> str:
    """The escaped PEM of a service-account JSON (the line's value); the object is built by the file writer."""
    return pkcs8_key(rng).replace("\n", "\\n") + "\\n"


# --- the formats of planted secrets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    name: str
    group: str
    make: Callable[[random.Random], str]
    names: tuple[str, ...]
    count: int = 2
    auth: str | None = None  # how it goes in a header: "Bearer", "token", "X-Api-Key: " ...
    styles: frozenset[str] | None = None  # file styles it may go in (None: any that takes assignments)
    block: bool = False  # a multi-line value (PEM)


def T(template: str) -> Callable[[random.Random], str]:
    return lambda rng: fill(template, rng)


def P(*parts: str) -> str:
    """Join a prefix written in pieces (so that this file holds no secret-looking literal)."""
    return "".join(parts)


CODE = frozenset({"py", "js", "go", "java", "cs", "rb", "php", "rs", "sh", "md", "ipynb"})
CONFIG = frozenset({"yaml", "json", "toml", "ini", "properties", "env", "dockerfile", "tf", "xml"})
ANY = CODE | CONFIG
KEYS = frozenset({"pem", "py", "js", "sh", "yaml", "tf", "md", "json", "env"})

KINDS: list[Kind] = [
    # cloud
    Kind("aws-access-key-id", "cloud", T(P("AK", "IA{b32:16}")), ("aws_access_key_id",), 3),
    Kind("aws-temporary-access-key-id", "cloud", T(P("AS", "IA{b32:16}")), ("aws_access_key_id",), 2),
    Kind("aws-secret-access-key", "cloud", T("{b64:40}"), ("aws_secret_access_key", "aws_secret_key"), 3),
    Kind("aws-session-token", "cloud", T(P("IQoJb3JpZ2lu", "X2Vj{b64:300-380}")), ("aws_session_token",), 2),
    Kind("aws-mws-auth-token", "cloud", lambda r: P("amzn", ".mws.") + uuid4(r), ("mws_auth_token",), 2),
    Kind("gcp-service-account", "cloud", gcp_service_account, ("private_key",), 2, styles=frozenset()),
    Kind("google-api-key", "cloud", T(P("AI", "za{b64url:35}")), ("google_api_key", "maps_api_key"), 3),
    Kind("google-oauth-client-secret", "cloud", T(P("GOC", "SPX-{b64url:28}")), ("google_client_secret",)),
    Kind(
        "google-oauth-refresh-token",
        "cloud",
        T(P("1//0", "{=4|9|e|g}{b64url:98}")),
        ("google_refresh_token",),
    ),
    Kind(
        "google-oauth-access-token",
        "cloud",
        T(P("ya", "29.{b64url:150-200}")),
        ("gcp_access_token",),
        auth="Bearer",
    ),
    Kind("azure-storage-account-key", "cloud", T("{b64:86}=="), ("azure_storage_key", "storage_account_key")),
    Kind(
        "azure-storage-connection-string",
        "cloud",
        T(
            "DefaultEndpointsProtocol=https;AccountName={lower:12};Account"
            + "Key={b64:86}==;EndpointSuffix=core.windows.net"
        ),
        ("azure_storage_connection_string", "storage_connection"),
    ),
    Kind("azure-sas-url", "cloud", azure_sas_url, ("blob_sas_url", "backup_container_url")),
    Kind("azure-ad-client-secret", "cloud", T("{alnum:3}{digits:1}Q~{azure:34}"), ("azure_client_secret",)),
    Kind(
        "azure-service-bus-connection-string",
        "cloud",
        T(
            "Endpoint=sb://{lower:10}.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
            + "SharedAccess"
            + "Key={b64:43}="
        ),
        ("servicebus_connection_string",),
    ),
    Kind(
        "azure-cosmosdb-connection-string",
        "cloud",
        T("AccountEndpoint=https://{lower:10}.documents.azure.com:443/;Account" + "Key={b64:86}==;"),
        ("cosmos_connection_string",),
    ),
    Kind("azure-devops-pat", "cloud", T("{b32lower:52}"), ("azure_devops_pat", "ado_pat")),
    Kind("digitalocean-pat", "cloud", T(P("do", "p_v1_{hex:64}")), ("digitalocean_token",), auth="Bearer"),
    Kind(
        "digitalocean-oauth-token", "cloud", T(P("do", "o_v1_{hex:64}")), ("do_oauth_token",), auth="Bearer"
    ),
    Kind("heroku-api-key", "cloud", uuid4, ("heroku_api_key",)),
    Kind(
        "heroku-platform-token", "cloud", T(P("HR", "KU-AA{b64url:58}")), ("heroku_api_token",), auth="Bearer"
    ),
    Kind(
        "cloudflare-api-token",
        "cloud",
        T("{b64url:40}"),
        ("cloudflare_api_token", "cf_api_token"),
        auth="Bearer",
    ),
    Kind("cloudflare-global-api-key", "cloud", T("{hex:37}"), ("cloudflare_api_key",), auth="X-Auth-Key: "),
    Kind("cloudflare-origin-ca-key", "cloud", T(P("v1", ".0-{hex:24}-{hex:146}")), ("cf_origin_ca_key",)),
    Kind("alibaba-access-key-id", "cloud", T(P("LT", "AI{alnum:20}")), ("alibaba_access_key_id",)),
    Kind(
        "alibaba-access-key-secret", "cloud", T("{alnum:30}"), ("alibaba_access_key_secret", "aliyun_secret")
    ),
    Kind("ibm-cloud-api-key", "cloud", T("{b64url:44}"), ("ibmcloud_api_key",)),
    # code hosts and CI
    Kind(
        "github-pat-classic",
        "code-hosts",
        T(P("gh", "p_{alnum:36}")),
        ("github_token", "gh_token"),
        4,
        auth="token",
    ),
    Kind(
        "github-pat-fine-grained",
        "code-hosts",
        T(P("github", "_pat_{alnum:22}_{alnum:59}")),
        ("github_token", "gh_pat"),
        3,
        auth="Bearer",
    ),
    Kind(
        "github-oauth-token", "code-hosts", T(P("gh", "o_{alnum:36}")), ("github_oauth_token",), auth="Bearer"
    ),
    Kind("github-app-installation-token", "code-hosts", T(P("gh", "s_{alnum:36}")), ("installation_token",)),
    Kind(
        "github-app-user-token",
        "code-hosts",
        T(P("gh", "u_{alnum:36}")),
        ("github_user_token",),
        auth="Bearer",
    ),
    Kind("github-refresh-token", "code-hosts", T(P("gh", "r_{alnum:76}")), ("github_refresh_token",)),
    Kind(
        "gitlab-pat",
        "code-hosts",
        T(P("gl", "pat-{b64url:20}")),
        ("gitlab_token",),
        3,
        auth="PRIVATE-TOKEN: ",
    ),
    Kind("gitlab-runner-token", "code-hosts", T(P("gl", "rt-{b64url:20}")), ("runner_token",)),
    Kind(
        "gitlab-runner-registration-token",
        "code-hosts",
        T(P("GR13", "48941{b64url:20}")),
        ("registration_token",),
    ),
    Kind("gitlab-deploy-token", "code-hosts", T(P("gl", "dt-{b64url:20}")), ("gitlab_deploy_token",)),
    Kind("gitlab-pipeline-trigger-token", "code-hosts", T(P("gl", "ptt-{hex:40}")), ("trigger_token",)),
    Kind("gitlab-oauth-app-secret", "code-hosts", T(P("gl", "oas-{hex:64}")), ("gitlab_app_secret",)),
    Kind("bitbucket-app-password", "code-hosts", T(P("AT", "BB{alnum:32}")), ("bitbucket_app_password",)),
    Kind(
        "bitbucket-repo-access-token",
        "code-hosts",
        T(P("AT", "CTT3xFfGN0{b64url:180}={HEX:8}")),
        ("bitbucket_access_token",),
        auth="Bearer",
    ),
    Kind(
        "circleci-personal-token",
        "code-hosts",
        T(P("CCI", "PAT_{alnum:22}_{hex:40}")),
        ("circle_token",),
        auth="Circle-Token: ",
    ),
    Kind(
        "circleci-project-token",
        "code-hosts",
        T(P("CCI", "PRJ_{alnum:22}_{hex:40}")),
        ("circleci_project_token",),
    ),
    Kind(
        "buildkite-api-token",
        "code-hosts",
        T(P("bk", "ua_{hex:40}")),
        ("buildkite_api_token",),
        auth="Bearer",
    ),
    Kind(
        "terraform-cloud-token",
        "code-hosts",
        T("{alnum:14}." + P("atlas", "v1.{alnum:67}")),
        ("tfe_token",),
        auth="Bearer",
    ),
    Kind(
        "vault-service-token",
        "code-hosts",
        T(P("hv", "s.CAESI{b64url:86}")),
        ("vault_token",),
        auth="X-Vault-Token: ",
    ),
    Kind("vault-batch-token", "code-hosts", T(P("hv", "b.AAAAAQ{b64url:130}")), ("vault_batch_token",)),
    Kind("pulumi-access-token", "code-hosts", T(P("pu", "l-{hex:40}")), ("pulumi_access_token",)),
    Kind("doppler-token", "code-hosts", T(P("dp", ".pt.{alnum:43}")), ("doppler_token",)),
    Kind(
        "postman-api-key",
        "code-hosts",
        T(P("PM", "AK-{hex:24}-{hex:34}")),
        ("postman_api_key",),
        auth="X-Api-Key: ",
    ),
    Kind("sonarqube-token", "code-hosts", T(P("sq", "u_{hex:40}")), ("sonar_token",)),
    Kind(
        "artifactory-api-key",
        "code-hosts",
        T(P("AK", "Cp8{alnum:69}")),
        ("artifactory_api_key",),
        auth="X-JFrog-Art-Api: ",
    ),
    Kind(
        "tailscale-auth-key",
        "code-hosts",
        T(P("tskey", "-auth-k{alnum:10}CNTRL-{alnum:32}")),
        ("ts_authkey",),
    ),
    Kind("age-secret-key", "code-hosts", T(P("AGE-SECRET", "-KEY-1{bech32:58}")), ("sops_age_key",)),
    Kind("databricks-token", "code-hosts", T(P("da", "pi{hex:32}")), ("databricks_token",), auth="Bearer"),
    Kind("netlify-token", "code-hosts", T(P("nf", "p_{alnum:40}")), ("netlify_auth_token",)),
    Kind("dynatrace-token", "code-hosts", T(P("dt0", "c01.{uppernum:24}.{uppernum:64}")), ("dt_api_token",)),
    Kind("prefect-api-key", "code-hosts", T(P("pn", "u_{alnum:36}")), ("prefect_api_key",)),
    Kind("supabase-access-token", "code-hosts", T(P("sb", "p_{hex:40}")), ("supabase_access_token",)),
    Kind(
        "planetscale-token", "code-hosts", T(P("pscale", "_tkn_{b64url:43}")), ("planetscale_service_token",)
    ),
    # AI
    Kind(
        "openai-project-key",
        "ai",
        T(P("sk-", "proj-{b64url:74}T3Blbk", "FJ{b64url:74}")),
        ("openai_api_key",),
        3,
        auth="Bearer",
    ),
    Kind(
        "openai-legacy-key",
        "ai",
        T(P("sk-", "{alnum:20}T3Blbk", "FJ{alnum:20}")),
        ("openai_api_key",),
        auth="Bearer",
    ),
    Kind(
        "openai-service-account-key",
        "ai",
        T(P("sk-", "svcacct-{b64url:74}T3Blbk", "FJ{b64url:74}")),
        ("openai_api_key",),
    ),
    Kind(
        "anthropic-api-key",
        "ai",
        T(P("sk-", "ant-api03-{b64url:93}AA")),
        ("anthropic_api_key",),
        3,
        auth="x-api-key: ",
    ),
    Kind("anthropic-admin-key", "ai", T(P("sk-", "ant-admin01-{b64url:93}AA")), ("anthropic_admin_key",)),
    Kind(
        "huggingface-token",
        "ai",
        T(P("h", "f_{letters:34}")),
        ("hf_token", "huggingface_token"),
        3,
        auth="Bearer",
    ),
    Kind("huggingface-org-token", "ai", T(P("api", "_org_{letters:34}")), ("hf_org_token",)),
    Kind("replicate-api-token", "ai", T(P("r8", "_{alnum:37}")), ("replicate_api_token",), auth="Bearer"),
    Kind("groq-api-key", "ai", T(P("gs", "k_{alnum:52}")), ("groq_api_key",), auth="Bearer"),
    Kind("cohere-api-key", "ai", T("{alnum:40}"), ("cohere_api_key", "co_api_key")),
    Kind("perplexity-api-key", "ai", T(P("pp", "lx-{alnum:48}")), ("pplx_api_key",), auth="Bearer"),
    Kind("xai-api-key", "ai", T(P("xa", "i-{alnum:80}")), ("xai_api_key",)),
    Kind("mistral-api-key", "ai", T("{alnum:32}"), ("mistral_api_key",)),
    Kind("langsmith-api-key", "ai", T(P("lsv2", "_pt_{hex:32}_{hex:10}")), ("langchain_api_key",)),
    # payments
    Kind(
        "stripe-secret-key",
        "payments",
        T(P("sk", "_live_{=51|}{alnum:24-99}")),
        ("stripe_secret_key",),
        3,
        auth="Bearer",
    ),
    Kind("stripe-restricted-key", "payments", T(P("rk", "_live_{alnum:99}")), ("stripe_api_key",)),
    Kind("stripe-webhook-secret", "payments", T(P("wh", "sec_{alnum:32}")), ("stripe_webhook_secret",)),
    Kind(
        "square-access-token",
        "payments",
        T(P("EA", "AA{b64url:60}")),
        ("square_access_token",),
        auth="Bearer",
    ),
    Kind("square-oauth-secret", "payments", T(P("sq0", "csp-{b64url:43}")), ("square_oauth_secret",)),
    Kind(
        "braintree-access-token",
        "payments",
        T(P("access", "_token$production${lowernum:16}${hex:32}")),
        ("braintree_access_token",),
    ),
    Kind("paypal-client-secret", "payments", T("E{b64url:79}"), ("paypal_client_secret",)),
    Kind(
        "shopify-admin-token",
        "payments",
        T(P("sh", "pat_{hex:32}")),
        ("shopify_access_token",),
        auth="X-Shopify-Access-Token: ",
    ),
    Kind("shopify-shared-secret", "payments", T(P("sh", "pss_{hex:32}")), ("shopify_api_secret",)),
    Kind("shopify-custom-app-token", "payments", T(P("sh", "pca_{hex:32}")), ("shopify_custom_app_token",)),
    Kind(
        "shopify-private-app-token", "payments", T(P("sh", "ppa_{hex:32}")), ("shopify_private_app_password",)
    ),
    Kind("easypost-api-key", "payments", T(P("EZ", "AK{alnum:54}")), ("easypost_api_key",)),
    Kind(
        "shippo-token", "payments", T(P("shippo", "_live_{hex:40}")), ("shippo_token",), auth="ShippoToken "
    ),
    Kind(
        "duffel-token",
        "payments",
        T(P("duffel", "_live_{b64url:43}")),
        ("duffel_access_token",),
        auth="Bearer",
    ),
    # messaging
    Kind(
        "slack-bot-token",
        "messaging",
        T(P("xo", "xb-{digits:11}-{digits:13}-{alnum:24}")),
        ("slack_bot_token", "slack_token"),
        3,
        auth="Bearer",
    ),
    Kind(
        "slack-user-token",
        "messaging",
        T(P("xo", "xp-{digits:11}-{digits:11}-{digits:13}-{hex:32}")),
        ("slack_user_token",),
    ),
    Kind(
        "slack-app-token",
        "messaging",
        T(P("xa", "pp-1-A{uppernum:10}-{digits:13}-{hex:64}")),
        ("slack_app_token",),
    ),
    Kind(
        "slack-webhook-url",
        "messaging",
        T(P("https://hooks.", "slack.com/services/T{uppernum:8}/B{uppernum:10}/{alnum:24}")),
        ("slack_webhook_url",),
        3,
    ),
    Kind("discord-bot-token", "messaging", discord_bot_token, ("discord_token",), auth="Bot "),
    Kind(
        "discord-webhook-url",
        "messaging",
        T(P("https://discord.com/api/", "webhooks/{digits:18}/{b64url:68}")),
        ("discord_webhook",),
    ),
    Kind(
        "telegram-bot-token", "messaging", T("{digits:10}:AA{b64url:33}"), ("telegram_bot_token", "tg_token")
    ),
    Kind("twilio-api-key", "messaging", T(P("S", "K{hex:32}")), ("twilio_api_key",)),
    Kind("twilio-auth-token", "messaging", T("{hex:32}"), ("twilio_auth_token",)),
    Kind(
        "sendgrid-api-key",
        "messaging",
        T(P("S", "G.{b64url:22}.{b64url:43}")),
        ("sendgrid_api_key",),
        3,
        auth="Bearer",
    ),
    Kind("mailgun-api-key", "messaging", T(P("ke", "y-{hex:32}")), ("mailgun_api_key",)),
    Kind(
        "mailgun-private-key", "messaging", T("{hex:32}-{hex:8}-{hex:8}"), ("mailgun_api_key", "mailgun_key")
    ),
    Kind("mailchimp-api-key", "messaging", T("{hex:32}-us{=1|6|14|21}"), ("mailchimp_api_key",)),
    Kind(
        "postmark-server-token",
        "messaging",
        uuid4,
        ("postmark_server_token",),
        auth="X-Postmark-Server-Token: ",
    ),
    Kind(
        "teams-webhook-url",
        "messaging",
        lambda r: (
            f"https://{fill('{lower:8}', r)}.webhook.office.com/webhookb2/{uuid4(r)}@{uuid4(r)}"
            + f"/IncomingWebhook/{fill('{hex:32}', r)}/{uuid4(r)}"
        ),
        ("teams_webhook_url",),
    ),
    Kind("twitter-bearer-token", "messaging", twitter_bearer, ("twitter_bearer_token",), auth="Bearer"),
    Kind("facebook-access-token", "messaging", T(P("EA", "AG{alnum:160-190}")), ("fb_access_token",)),
    # registries
    Kind("npm-token", "registries", T(P("np", "m_{alnum:36}")), ("npm_token",), 3),
    Kind(
        "pypi-token",
        "registries",
        T(P("pyp", "i-AgEIcHlwaS5vcmc{b64url:70-150}")),
        ("pypi_token", "twine_password"),
        3,
    ),
    Kind("rubygems-api-key", "registries", T(P("rubygems", "_{hex:48}")), ("gem_host_api_key",)),
    Kind("nuget-api-key", "registries", T(P("oy", "2{lowernum:43}")), ("nuget_api_key",)),
    Kind(
        "dockerhub-pat",
        "registries",
        T(P("dck", "r_pat_{b64url:27}")),
        ("docker_password", "dockerhub_token"),
        3,
    ),
    Kind("docker-config-auth", "registries", docker_auth, ("auth",), 1, styles=frozenset()),
    Kind("clojars-token", "registries", T(P("CLOJARS", "_{lowernum:60}")), ("clojars_password",)),
    # SaaS
    Kind(
        "atlassian-api-token",
        "saas",
        T(P("AT", "ATT3xFfGF0{b64url:180}={HEX:8}")),
        ("jira_api_token", "confluence_token"),
    ),
    Kind("notion-token-legacy", "saas", T(P("sec", "ret_{alnum:43}")), ("notion_token",), auth="Bearer"),
    Kind("notion-token", "saas", T(P("nt", "n_{digits:11}{alnum:35}")), ("notion_api_key",), auth="Bearer"),
    Kind("airtable-pat", "saas", T(P("pa", "t{alnum:14}.{hex:64}")), ("airtable_api_key",), auth="Bearer"),
    Kind("figma-pat", "saas", T(P("fi", "gd_{b64url:40}")), ("figma_token",), auth="X-Figma-Token: "),
    Kind("okta-api-token", "saas", T("00{b64url:40}"), ("okta_api_token",), auth="SSWS "),
    Kind("datadog-api-key", "saas", T("{hex:32}"), ("dd_api_key", "datadog_api_key"), auth="DD-API-KEY: "),
    Kind("datadog-app-key", "saas", T("{hex:40}"), ("dd_app_key",)),
    Kind(
        "newrelic-user-key", "saas", T(P("NR", "AK-{uppernum:27}")), ("new_relic_api_key",), auth="Api-Key: "
    ),
    Kind("newrelic-license-key", "saas", T("{hex:36}" + P("NR", "AL")), ("new_relic_license_key",)),
    Kind("newrelic-insert-key", "saas", T(P("NR", "II-{b64url:32}")), ("nr_insert_key",)),
    Kind("sentry-user-token", "saas", T(P("sntry", "u_{hex:64}")), ("sentry_auth_token",), auth="Bearer"),
    Kind("sentry-org-token", "saas", sentry_org_token, ("sentry_auth_token",)),
    Kind(
        "grafana-service-account-token",
        "saas",
        T(P("gl", "sa_{alnum:32}_{hex:8}")),
        ("grafana_token",),
        auth="Bearer",
    ),
    Kind("grafana-cloud-token", "saas", grafana_cloud_token, ("grafana_cloud_api_key",)),
    Kind("grafana-api-key-legacy", "saas", grafana_legacy_key, ("grafana_api_key",), auth="Bearer"),
    Kind("linear-api-key", "saas", T(P("lin", "_api_{alnum:40}")), ("linear_api_key",)),
    Kind("asana-pat", "saas", T("2/{digits:16}/{digits:16}:{hex:32}"), ("asana_token",), auth="Bearer"),
    Kind(
        "hubspot-private-app-token",
        "saas",
        lambda r: P("pat", "-na1-") + uuid4(r),
        ("hubspot_access_token",),
        auth="Bearer",
    ),
    Kind("mapbox-secret-token", "saas", mapbox_secret, ("mapbox_secret_token",)),
    Kind("contentful-pat", "saas", T(P("CF", "PAT-{b64url:43}")), ("contentful_management_token",)),
    Kind("dropbox-access-token", "saas", T(P("s", "l.{b64url:135}")), ("dropbox_token",), auth="Bearer"),
    Kind("typeform-pat", "saas", T(P("tf", "p_{b64url:44}_{b64url:14}")), ("typeform_token",)),
    Kind("launchdarkly-api-key", "saas", lambda r: P("ap", "i-") + uuid4(r), ("ld_api_key",)),
    Kind("algolia-admin-key", "saas", T("{hex:32}"), ("algolia_admin_api_key",)),
    # databases
    Kind("postgres-url", "databases", db_url("postgres"), ("database_url",), 4),
    Kind("mysql-url", "databases", db_url("mysql"), ("database_url", "mysql_url"), 3),
    Kind("mongodb-url", "databases", db_url("mongodb"), ("mongo_uri",), 3),
    Kind("redis-url", "databases", db_url("redis"), ("redis_url",), 3),
    Kind("amqp-url", "databases", db_url("amqp"), ("broker_url", "amqp_url")),
    Kind("jdbc-url", "databases", db_url("jdbc"), ("jdbc_url",), 3),
    Kind("adonet-connection-string", "databases", db_url("adonet"), ("connection_string",), 3),
    Kind("https-basic-auth-url", "databases", db_url("https"), ("index_url", "repo_url")),
    # private keys
    Kind("rsa-private-key", "keys", rsa_key, ("private_key",), 3, styles=KEYS, block=True),
    Kind("ec-private-key", "keys", ec_key, ("signing_key",), 2, styles=KEYS, block=True),
    Kind("pkcs8-private-key", "keys", pkcs8_key, ("tls_key",), 2, styles=KEYS, block=True),
    Kind("openssh-private-key", "keys", openssh_key, ("deploy_key",), 2, styles=KEYS, block=True),
    Kind("pgp-private-key", "keys", pgp_key, ("signing_key",), 1, styles=frozenset({"pem"}), block=True),
    Kind("dsa-private-key", "keys", dsa_key, ("legacy_key",), 1, styles=frozenset({"pem"}), block=True),
    Kind("putty-private-key", "keys", putty_key, ("ppk",), 1, styles=frozenset({"pem"}), block=True),
    Kind("kubeconfig-client-key", "keys", kube_client_key, ("client-key-data",), 1, styles=frozenset()),
    # tokens and generic
    Kind(
        "jwt",
        "generic",
        jwt_token,
        ("access_token", "supabase_service_role_key", "auth_token"),
        4,
        auth="Bearer",
    ),
    Kind(
        "generic-password",
        "generic",
        _password,
        ("db_password", "password", "admin_password", "smtp_password", "redis_password", "keystore_password"),
        12,
    ),
    Kind(
        "generic-api-key",
        "generic",
        T("{alnum:32-40}"),
        ("api_key", "apikey", "x_api_key", "service_api_key"),
        6,
        auth="X-Api-Key: ",
    ),
    Kind("generic-client-secret", "generic", T("{alnum:32}"), ("client_secret", "oauth_client_secret"), 3),
    Kind("generic-hex-key", "generic", T("{hex:64}"), ("encryption_key", "hmac_secret", "signing_secret"), 3),
    Kind(
        "django-secret-key", "generic", T("{django:50}"), ("secret_key",), 2, styles=frozenset({"py", "env"})
    ),
    Kind(
        "basic-auth-header",
        "generic",
        basic_auth_header,
        ("authorization",),
        2,
        styles=frozenset({"py", "js", "sh", "md", "yaml"}),
    ),
    Kind(
        "bearer-opaque-token",
        "generic",
        T("{alnum:40}"),
        ("access_token",),
        2,
        auth="Bearer",
        styles=frozenset({"sh", "md", "py", "js", "go"}),
    ),
    Kind("k8s-secret-data", "generic", k8s_secret_value, ("password",), 2, styles=frozenset()),
    Kind("netrc-password", "generic", lambda r: _password(r, url=True), ("password",), 1, styles=frozenset()),
]
KIND_BY_NAME = {k.name: k for k in KINDS}


# --- names in each language's conventions ----------------------------------------------------------------------


def camel(name: str) -> str:
    head, *rest = name.replace("-", "_").split("_")
    return head + "".join(part.title() for part in rest)


def pascal(name: str) -> str:
    return "".join(part.title() for part in name.replace("-", "_").split("_"))


def upper(name: str) -> str:
    return name.replace("-", "_").upper()


def dotted(name: str) -> str:
    return name.replace("_", ".").replace("-", ".")


API_HOSTS = ["api.acme.io", "api.partner.example.com", "internal-gateway.acme.net", "hooks.acme.io"]


def header_text(auth: str, value: str) -> tuple[str, str]:
    """(header name, header value) for a token used the way ``auth`` says."""
    if auth.endswith(": "):
        return auth[:-2], value
    return "Authorization", f"{auth.rstrip()} {value}" if not auth.endswith(" ") else auth + value


def header_line(style: str, auth: str, value: str, rng: random.Random) -> list[str] | None:
    name, text = header_text(auth, value)
    url = f"https://{rng.choice(API_HOSTS)}/v{rng.randint(1, 3)}/{rng.choice(['users', 'orders', 'deploys', 'events'])}"
    if style in ("sh", "md", "dockerfile"):
        prefix = "RUN " if style == "dockerfile" else ""
        return [f'{prefix}curl -sS -H "{name}: {text}" {url}']
    if style == "py":
        return [f'headers = {{"{name}": "{text}", "Accept": "application/json"}}']
    if style == "js":
        return [f'const res = await fetch("{url}", {{ headers: {{ "{name}": "{text}" }} }});']
    if style == "go":
        return [f'req.Header.Set("{name}", "{text}")']
    if style == "java":
        return [f'conn.setRequestProperty("{name}", "{text}");']
    if style == "cs":
        return [f'client.DefaultRequestHeaders.Add("{name}", "{text}");']
    if style == "rb":
        return [f'request["{name}"] = "{text}"']
    if style == "php":
        return [f"curl_setopt($ch, CURLOPT_HTTPHEADER, ['{name}: {text}']);"]
    if style == "rs":
        return [f'    .header("{name}", "{text}")']
    return None


def assign(style: str, name: str, value: str, rng: random.Random, raw: bool = False) -> list[str]:
    """One way this language or format sets ``name`` to ``value`` (``raw``: not quoted where it matters)."""
    q = (lambda v: v) if raw else (lambda v: f'"{v}"')
    sq = (lambda v: v) if raw else (lambda v: f"'{v}'")
    pick = rng.choice
    if style == "py" or style == "ipynb":
        return [
            pick([f"{upper(name)} = {q(value)}", f"{name} = {q(value)}", f'config["{name}"] = {q(value)}'])
        ]
    if style == "js":
        return [
            pick(
                [
                    f"const {camel(name)} = {q(value)};",
                    f"export const {upper(name)} = {sq(value)};",
                    f"  {camel(name)}: {q(value)},",
                ]
            )
        ]
    if style == "go":
        return [
            pick(
                [
                    f"const {camel(name)} = {q(value)}",
                    f"var {pascal(name)} = {q(value)}",
                    f"\t{pascal(name)}: {q(value)},",
                ]
            )
        ]
    if style == "java":
        return [
            pick(
                [
                    f"private static final String {upper(name)} = {q(value)};",
                    f'props.setProperty("{dotted(name)}", {q(value)});',
                ]
            )
        ]
    if style == "cs":
        return [
            pick(
                [
                    f"private const string {pascal(name)} = {q(value)};",
                    f"options.{pascal(name)} = {q(value)};",
                ]
            )
        ]
    if style == "rb":
        return [
            pick(
                [
                    f"{upper(name)} = {q(value)}",
                    f"config.{name} = {sq(value)}",
                    f'ENV["{upper(name)}"] ||= {q(value)}',
                ]
            )
        ]
    if style == "php":
        return [
            pick(
                [
                    f"define('{upper(name)}', {sq(value)});",
                    f"    '{name}' => {sq(value)},",
                    f"${camel(name)} = {q(value)};",
                ]
            )
        ]
    if style == "rs":
        return [
            pick([f"const {upper(name)}: &str = {q(value)};", f"static {upper(name)}: &str = {q(value)};"])
        ]
    if style == "sh" or style == "md":
        return [pick([f"export {upper(name)}={q(value)}", f"{upper(name)}={sq(value)}"])]
    if style == "yaml":
        return [pick([f"{name}: {value}", f"{name}: {q(value)}", f"{upper(name)}: {q(value)}"])]
    if style == "json":
        return [pick([f'"{camel(name)}": {q(value)}', f'"{name}": {q(value)}'])]
    if style == "toml" or style == "tf":
        return [f"{name} = {q(value)}"]
    if style == "ini":
        return [f"{name} = {value}"]
    if style == "properties":
        return [pick([f"{dotted(name)}={value}", f"{name}={value}"])]
    if style == "env":
        return [pick([f"{upper(name)}={value}", f"{upper(name)}={q(value)}"])]
    if style == "dockerfile":
        return [pick([f"ENV {upper(name)}={value}", f"ARG {upper(name)}={value}"])]
    if style == "xml":
        return [
            pick([f'<add key="{pascal(name)}" value="{value}" />', f"<{camel(name)}>{value}</{camel(name)}>"])
        ]
    raise ValueError(style)


def block_lines(style: str, name: str, pem: str, rng: random.Random) -> tuple[list[str], int, int] | None:
    """A multi-line value written in ``style``: the lines, and the first and last line holding the block."""
    rows = pem.split("\n")
    if style == "pem":
        return rows, 0, len(rows) - 1
    if style == "py":
        return [f'{upper(name)} = """', *rows, '"""'], 1, len(rows)
    if style == "js":
        return [f"const {camel(name)} = `", *rows, "`;"], 1, len(rows)
    if style in ("sh", "md"):
        return [f"cat > ~/.ssh/{name} <<'EOF'", *rows, "EOF"], 1, len(rows)
    if style == "yaml":
        return [f"{name}: |", *("  " + r for r in rows)], 1, len(rows)
    if style == "tf":
        return [f"{name} = <<-EOT", *("  " + r for r in rows), "EOT"], 1, len(rows)
    return None


def one_line_pem(pem: str) -> str:
    return pem.replace("\n", "\\n")


# --- decoys ----------------------------------------------------------------------------------------------------

SECRETISH = [
    "api_key",
    "api_token",
    "secret_key",
    "access_token",
    "auth_token",
    "password",
    "client_secret",
    "github_token",
    "stripe_secret_key",
    "slack_token",
    "db_password",
    "openai_api_key",
]
PLACEHOLDERS = [
    "your-api-key-here",
    "YOUR_API_KEY",
    "<TOKEN>",
    "<your-secret>",
    "REPLACE_ME",
    "xxxxxxxxxxxxxxxxxxxxxxxx",
    "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    "insert-your-token-here",
    "********",
    "<redacted>",
    "TODO-set-me",
    "${API_KEY}",
    "<paste key>",
    "changeit-in-prod-env",
    "sk-...",
]


def _prefixed_placeholder(rng: random.Random) -> str:
    prefix, length = rng.choice(
        [
            (P("gh", "p_"), 36),
            (P("AK", "IA"), 16),
            (P("sk", "_live_"), 24),
            (P("xo", "xb-"), 40),
            (P("gl", "pat-"), 20),
            (P("np", "m_"), 36),
            (P("sk-", "proj-"), 48),
            (P("S", "G."), 40),
            (P("h", "f_"), 34),
            (P("AI", "za"), 35),
        ]
    )
    filler = rng.choice(["x", "X", "0", "*", "."])
    return prefix + filler * length


def _example_key(rng: random.Random) -> tuple[str, str]:
    return rng.choice(
        [
            ("aws_access_key_id", P("AK", "IA", "IOSFODNN7", "EXAMPLE")),
            ("aws_secret_access_key", P("wJalrXUtnFEMI", "/K7MDENG/bPxRfiCY", "EXAMPLE", "KEY")),
            ("github_token", P("gh", "p_", "EXAMPLE", fill("{upper:4}", rng), "0123456789abcdefghijklmno")),
            ("stripe_secret_key", P("sk", "_live_", "EXAMPLE", "KEY", "00000000000000000")),
            ("slack_token", P("xo", "xb-", "EXAMPLE-", "TOKEN-", "DO-NOT-USE")),
            ("api_key", "EXAMPLE-" + "KEY-" + "1234567890abcdef"),
        ]
    )


def _truncated(rng: random.Random) -> str:
    prefix, template = rng.choice(
        [
            (P("gh", "p_"), "{alnum:10}"),
            (P("AK", "IA"), "{uppernum:7}"),
            (P("xo", "xb-"), "{digits:4}"),
            (P("sk", "_live_"), "{alnum:5}"),
            (P("gl", "pat-"), "{alnum:6}"),
            (P("np", "m_"), "{alnum:8}"),
            (P("AI", "za"), "{alnum:9}"),
            (P("S", "G."), "{alnum:6}"),
            (P("h", "f_"), "{letters:6}"),
            (P("sk-", "ant-"), "{alnum:6}"),
            (P("github", "_pat_"), "{alnum:7}"),
            (P("dck", "r_pat_"), "{alnum:5}"),
        ]
    )
    return prefix + fill(template, rng)


def _regex(rng: random.Random) -> str:
    return rng.choice(
        [
            P("gh", "[pousr]_[A-Za-z0-9]{36,255}"),
            P("AK", "IA[0-9A-Z]{16}"),
            P("xo", "x[baprs]-[0-9A-Za-z-]{10,72}"),
            P("sk", "_live_[0-9a-zA-Z]{24,99}"),
            P("gl", "pat-[0-9a-zA-Z_-]{20}"),
            P("-----BEGIN ", "[A-Z ]*PRIVATE", " KEY-----"),
            P("AI", "za[0-9A-Za-z_-]{35}"),
            P("np", "m_[A-Za-z0-9]{36}"),
        ]
    )


def _png_data_url(rng: random.Random) -> str:
    raw = (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", 13)
        + b"IHDR"
        + struct.pack(">IIBBBBB", 16, 16, 8, 6, 0, 0, 0)
    )
    raw += (
        rng.randbytes(4)
        + struct.pack(">I", 120)
        + b"IDAT"
        + zlib.compress(rng.randbytes(90))
        + rng.randbytes(4)
    )
    return "data:image/png;base64," + b64(raw)


def _protobuf_b64(rng: random.Random) -> str:
    raw = (
        b"\x0a"
        + bytes([12])
        + b"orders.proto"
        + b"\x12\x06orders"
        + b"\x22"
        + bytes([60])
        + rng.randbytes(60)
    )
    return b64(raw)


def _sha(n: int) -> Callable[[random.Random], str]:
    return lambda rng: hashlib.new(
        "sha256" if n == 64 else "sha1" if n == 40 else "md5", rng.randbytes(16)
    ).hexdigest()


def _ssh_public(rng: random.Random) -> str:
    if rng.random() < 0.5:
        blob = (
            struct.pack(">I", 7)
            + b"ssh-rsa"
            + struct.pack(">I", 3)
            + b"\x01\x00\x01"
            + struct.pack(">I", 257)
            + rng.randbytes(257)
        )
        return "ssh-rsa " + b64(blob) + f" {rng.choice(USERS)}@{rng.choice(['laptop', 'ci', 'bastion'])}"
    blob = struct.pack(">I", 11) + b"ssh-ed25519" + struct.pack(">I", 32) + rng.randbytes(32)
    return "ssh-ed25519 " + b64(blob) + f" {rng.choice(USERS)}@{rng.choice(['laptop', 'ci', 'bastion'])}"


def _public_pem(rng: random.Random) -> str:
    which = rng.randrange(3)
    if which == 0:
        return _pem(
            "PUBLIC KEY",
            bytes.fromhex("30820122300d06092a864886f70d01010105000382010f00") + rng.randbytes(270),
        )
    if which == 1:
        return _pem("CERTIFICATE", bytes.fromhex("308203") + rng.randbytes(760))
    body = b64(bytes.fromhex("9901") + rng.randbytes(400))
    rows = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join(
        [
            "-----BEGIN PGP PUBLIC KEY BLOCK-----",
            "",
            *rows,
            "=" + b64(rng.randbytes(3)),
            "-----END PGP PUBLIC KEY BLOCK-----",
        ]
    )


def _publishable(rng: random.Random) -> tuple[str, str]:
    return rng.choice(
        [
            ("stripe_publishable_key", P("pk", "_live_") + fill("{alnum:99}", rng)),
            ("stripe_publishable_key", P("pk", "_test_") + fill("{alnum:99}", rng)),
            (
                "mapbox_public_token",
                "pk."
                + b64(
                    json.dumps({"u": "acme-maps", "a": fill("cl{lowernum:23}", rng)}).encode(),
                    url=True,
                    pad=False,
                )
                + "."
                + fill("{b64url:22}", rng),
            ),
            ("square_application_id", P("sq0", "idp-") + fill("{b64url:22}", rng)),
            ("google_client_id", fill("{digits:12}-{lowernum:32}.apps.googleusercontent.com", rng)),
            ("recaptcha_site_key", "6L" + fill("{b64url:38}", rng)),
        ]
    )


def _stripe_object_id(rng: random.Random) -> tuple[str, str]:
    prefix, name = rng.choice(
        [
            ("cus_", "customer_id"),
            ("price_", "price_id"),
            ("pi_", "payment_intent_id"),
            ("acct_", "connected_account"),
            ("prod_", "product_id"),
        ]
    )
    return name, prefix + fill("{alnum:14-24}", rng)


def _safe_url(rng: random.Random) -> tuple[str, str]:
    return rng.choice(
        [
            ("database_url", "postgres://app@localhost:5432/app_dev"),
            ("database_url", "postgresql://${DB_USER}:${DB_PASSWORD}@db:5432/orders"),
            ("database_url", "postgres://<user>:<password>@<host>:5432/<db>"),
            ("redis_url", "redis://localhost:6379/0"),
            ("mongo_uri", "mongodb://localhost:27017/test"),
            ("broker_url", "amqp://guest@localhost//"),
            ("jdbc_url", "jdbc:postgresql://localhost:5432/orders"),
            ("database_url", "mysql://root:@127.0.0.1:3306/test_db"),
            ("connection_string", "Server=(localdb)\\mssqllocaldb;Database=Acme;Trusted_Connection=True;"),
        ]
    )


def _password_hash(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return "$2b$12$" + fill("{bcrypt:53}", rng)
    return (
        "$argon2id$v=19$m=65536,t=3,p=4$"
        + b64(rng.randbytes(16), pad=False)
        + "$"
        + b64(rng.randbytes(32), pad=False)
    )


def _secret_ref(rng: random.Random) -> tuple[str, str]:
    return rng.choice(
        [
            (
                "db_password",
                "arn:aws:secretsmanager:us-east-1:"
                + fill("{digits:12}", rng)
                + ":secret:prod/db-"
                + fill("{alnum:6}", rng),
            ),
            ("api_token", "vault:secret/data/payments#api_token"),
            ("password", "op://Engineering/Postgres prod/password"),
            (
                "client_secret",
                "@Microsoft.KeyVault(SecretUri=https://acme-kv.vault.azure.net/secrets/client-secret/)",
            ),
            ("github_token", "projects/acme-prod/secrets/github-token/versions/latest"),
            ("slack_token", "ssm:/acme/prod/slack/bot-token"),
        ]
    )


def _sops(rng: random.Random) -> str:
    return (
        "ENC[AES256_GCM,data:"
        + b64(rng.randbytes(rng.randint(12, 40)))
        + ",iv:"
        + b64(rng.randbytes(32))
        + ",tag:"
        + b64(rng.randbytes(16))
        + ",type:str]"
    )


def _env_ref(style: str, name: str, rng: random.Random) -> list[str]:
    u = upper(name)
    if style in ("py", "ipynb"):
        return [
            rng.choice(
                [
                    f'{u} = os.environ["{u}"]',
                    f'{name} = os.getenv("{u}")',
                    f'{name} = os.environ.get("{u}", "")',
                ]
            )
        ]
    if style == "js":
        return [
            rng.choice(
                [f"const {camel(name)} = process.env.{u};", f"  {camel(name)}: process.env.{u} ?? '',"]
            )
        ]
    if style == "go":
        return [f'{camel(name)} := os.Getenv("{u}")']
    if style == "java":
        return [f'String {camel(name)} = System.getenv("{u}");']
    if style == "cs":
        return [f'var {camel(name)} = Environment.GetEnvironmentVariable("{u}");']
    if style == "rb":
        return [rng.choice([f'{u} = ENV.fetch("{u}")', f'config.{name} = ENV["{u}"]'])]
    if style == "php":
        return [rng.choice([f"${camel(name)} = getenv('{u}');", f"    '{name}' => env('{u}'),"])]
    if style == "rs":
        return [f'let {name} = std::env::var("{u}").expect("{u} is not set");']
    if style in ("sh", "md"):
        return [
            rng.choice(
                [
                    f'curl -sS -H "Authorization: Bearer ${u}" https://{rng.choice(API_HOSTS)}/v1/me',
                    f': "${{{u}:?set {u} first}}"',
                ]
            )
        ]
    if style == "yaml":
        return [
            rng.choice(
                [
                    f"{name}: ${{{u}}}",
                    f"{u}: ${{{{ secrets.{u} }}}}",
                    f"{name}: {{{{ .Values.{camel(name)} }}}}",
                ]
            )
        ]
    if style == "json":
        return [f'"{camel(name)}": "${{{u}}}"']
    if style in ("toml", "ini", "properties"):
        return [f"{name} = ${{{u}}}" if style != "properties" else f"{dotted(name)}=${{{u}}}"]
    if style == "env":
        return [rng.choice([f"{u}=", f"{u}=${{VAULT_{u}}}"])]
    if style == "dockerfile":
        return [
            rng.choice([f"ARG {u}", f"RUN --mount=type=secret,id={name} cat /run/secrets/{name} > /dev/null"])
        ]
    if style == "tf":
        return [
            rng.choice(
                [
                    f"{name} = var.{name}",
                    f"{name} = data.aws_secretsmanager_secret_version.{name}.secret_string",
                ]
            )
        ]
    if style == "xml":
        return [f'<add key="{pascal(name)}" value="%{u}%" />']
    raise ValueError(style)


@dataclass(frozen=True)
class DecoyKind:
    name: str
    count: int
    render: Callable[[str, random.Random], list[str] | None]  # (style, rng) -> lines, None: not in this style
    styles: frozenset[str] = ANY


def _assign_decoy(
    make: Callable[[random.Random], tuple[str, str]], raw: bool = False
) -> Callable[[str, random.Random], list[str] | None]:
    def render(style: str, rng: random.Random) -> list[str] | None:
        name, value = make(rng)
        return assign(style, name, value, rng, raw=raw)

    return render


def _comment(style: str) -> str:
    return {
        "py": "#",
        "ipynb": "#",
        "sh": "#",
        "rb": "#",
        "yaml": "#",
        "toml": "#",
        "ini": ";",
        "properties": "#",
        "env": "#",
        "dockerfile": "#",
        "tf": "#",
    }.get(style, "//")


def _commented(style: str, text: str) -> list[str] | None:
    if style in ("json",):
        return None
    if style == "xml":
        return [f"<!-- {text} -->"]
    if style == "md":
        return [text]
    return [f"{_comment(style)} {text}"]


def _hash_decoy(style: str, rng: random.Random) -> list[str]:
    name = rng.choice(
        [
            "checksum",
            "sha256",
            "digest",
            "content_hash",
            "md5sum",
            "etag",
            "sha1",
            "file_hash",
            "integrity_sha256",
        ]
    )
    value = _sha({"md5sum": 32, "etag": 32, "sha1": 40}.get(name, 64))(rng)
    if name == "integrity_sha256" or rng.random() < 0.2:
        value = "sha256:" + _sha(64)(rng)
    return assign(style, name, value, rng)


def _git_sha_decoy(style: str, rng: random.Random) -> list[str]:
    sha = _sha(40)(rng)
    if style == "md":
        return [
            rng.choice(
                [
                    f"Fixed in commit {sha} (see the changelog).",
                    f"    git checkout {sha}",
                    f"Reverted `{sha[:12]}` and `{sha}`.",
                ]
            )
        ]
    if style == "yaml" and rng.random() < 0.5:
        return [f"rev: {sha}"]
    if style == "dockerfile":
        return [f"ARG GIT_COMMIT={sha}"]
    return assign(
        style, rng.choice(["commit_sha", "git_rev", "revision", "base_commit", "last_known_good"]), sha, rng
    )


def _uuid_decoy(style: str, rng: random.Random) -> list[str]:
    name = rng.choice(
        [
            "request_id",
            "trace_id",
            "correlation_id",
            "tenant_id",
            "installation_id",
            "project_guid",
            "idempotency_key",
            "subscription_id",
        ]
    )
    return assign(style, name, uuid4(rng), rng)


def _i18n(style: str, rng: random.Random) -> list[str]:
    key, text = rng.choice(
        [
            ("password_reset_title", "Reset your password"),
            ("password_too_short", "Your password must be at least 12 characters long"),
            ("forgot_password", "Forgot your password?"),
            ("token_expired", "Your session token has expired. Please sign in again."),
            ("api_key_help", "Create an API key in Settings, then paste it here"),
            ("password_mismatch", "The passwords do not match"),
            ("secret_label", "Client secret"),
            ("password_placeholder", "Enter your password"),
            ("change_password", "Changer le mot de passe"),
            ("password_rules", "Use a passphrase: four random words are easier to remember"),
        ]
    )
    return assign(style, key, text, rng)


def _fake_test_token(style: str, rng: random.Random) -> list[str]:
    name = rng.choice(
        ["token", "api_key", "password", "secret", "auth_token", "client_secret", "webhook_secret"]
    )
    value = rng.choice(
        [
            "test-token",
            "dummy",
            "fake-api-key",
            "not-a-real-secret",
            "test-password",
            "dummy-secret-for-tests",
            "testsecret",
            "fake_token_123",
            "unit-test-key",
            "s3cr3t-for-tests-only",
        ]
    )
    return assign(style, name, value, rng)


def _token_regex(style: str, rng: random.Random) -> list[str] | None:
    pattern = _regex(rng)
    name = rng.choice(["token_pattern", "github_token_re", "key_format", "secret_regex"])
    if style == "py":
        return [f'{upper(name)} = re.compile(r"{pattern}")']
    if style == "js":
        return [f"const {camel(name)} = /{pattern}/;"]
    if style == "go":
        return [f"var {camel(name)} = regexp.MustCompile(`{pattern}`)"]
    if style == "rb":
        return [f"{upper(name)} = /{pattern}/"]
    if style == "java":
        return [f'private static final Pattern {upper(name)} = Pattern.compile("{pattern}");']
    if style == "rs":
        return [f'let {name} = Regex::new(r"{pattern}").unwrap();']
    if style == "yaml":
        return [f"regex: '{pattern}'"]
    if style == "md":
        return [f"| token | `{pattern}` |"]
    if style == "toml":
        return [f"regex = '''{pattern}'''"]
    return None


def _password_var(style: str, rng: random.Random) -> list[str] | None:
    code = {
        "py": [
            "password_field = forms.CharField(widget=forms.PasswordInput, min_length=12)",
            "PASSWORD_MIN_LENGTH = 12",
            "password_hash = bcrypt.hashpw(password.encode(), bcrypt.gensalt())",
            'token_type = "Bearer"',
            'secret_name = "prod/payments/api"',
            "if not check_password(password, user.password_hash):",
            'api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)',
        ],
        "js": [
            'passwordInput.type = "password";',
            "const MIN_PASSWORD_LENGTH = 12;",
            "if (password !== confirmPassword) throw new Error('mismatch');",
            "const tokenStorageKey = 'auth.token';",
            "  secretName: 'prod/payments/api',",
        ],
        "go": [
            "if len(password) < minPasswordLength {",
            'const tokenHeader = "Authorization"',
            "hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)",
        ],
        "java": [
            'private static final String PASSWORD_PARAM = "password";',
            "if (!encoder.matches(rawPassword, user.getPasswordHash())) {",
        ],
        "cs": [
            'private const string PasswordClaim = "pwd";',
            "var passwordHash = hasher.HashPassword(user, password);",
        ],
        "rb": ["validates :password, length: { minimum: 12 }", "has_secure_password"],
        "php": [
            "$passwordHash = password_hash($password, PASSWORD_ARGON2ID);",
            "if (!password_verify($password, $row['password_hash'])) {",
        ],
        "rs": ["let password_hash = argon2.hash_password(password.as_bytes(), &salt)?;"],
        "sh": ['read -rsp "Password: " PASSWORD', 'PASSWORD_FILE="$HOME/.config/acme/password"'],
        "yaml": ["password_min_length: 12", "secret_name: prod/payments/api", "token_ttl: 3600"],
        "json": ['"passwordMinLength": 12', '"tokenType": "Bearer"'],
        "xml": ['<input type="password" name="password" autocomplete="current-password" />'],
        "properties": ["security.password.min-length=12", "auth.token.ttl=3600"],
        "toml": ["password_min_length = 12"],
        "env": ["PASSWORD_MIN_LENGTH=12", "TOKEN_TTL_SECONDS=3600"],
        "tf": ["password_length = 32", 'secret_name = "prod/payments/api"'],
        "md": ["The `password` field is required; the token is read from `ACME_TOKEN`."],
    }.get(style)
    return [rng.choice(code)] if code else None


def _prose(style: str, rng: random.Random) -> list[str] | None:
    text = rng.choice(
        [
            "Set STRIPE_SECRET_KEY in the environment; never commit it.",
            "Rotate the API key every 90 days (see docs/security.md).",
            "GitHub classic tokens start with "
            + P("gh", "p_")
            + " and fine-grained ones with "
            + P("github", "_pat_")
            + ".",
            "The token is read from the keychain, not from this file.",
            "TODO: move the password to the secret manager",
            "Ask #platform for a Slack bot token; it is stored in Vault.",
            "Do not paste private keys here: use `ssh-add` instead.",
        ]
    )
    return _commented(style, text)


def _empty(style: str, rng: random.Random) -> list[str] | None:
    name = rng.choice(SECRETISH)
    if style == "py":
        return [rng.choice([f"{name} = None", f'{name} = ""', f"{upper(name)}: str | None = None"])]
    if style == "yaml":
        return [rng.choice([f"{name}: ''", f"{name}: null", f"{name}: ~"])]
    if style == "json":
        return [f'"{camel(name)}": null']
    if style == "env":
        return [f"{upper(name)}="]
    if style in ("js", "go", "java", "cs", "rb", "php", "rs", "sh", "toml", "tf", "properties", "ini"):
        return assign(style, name, "", rng)
    return None


def _high_entropy_id(style: str, rng: random.Random) -> list[str] | None:
    if style == "dockerfile":
        return [f"FROM python:3.12-slim@sha256:{_sha(64)(rng)}"]
    if style == "yaml":
        return [f"image: ghcr.io/acme/api@sha256:{_sha(64)(rng)}"]
    name, value = rng.choice(
        [
            ("bundle", f"static/js/main.{fill('{hex:8}', rng)}.chunk.js"),
            ("youtube_video", f"https://www.youtube.com/watch?v={fill('{b64url:11}', rng)}"),
            ("ga_measurement_id", "G-" + fill("{uppernum:10}", rng)),
            ("build_id", fill("{lowernum:21}", rng)),
            ("cache_key", "deps-" + _sha(64)(rng)[:40]),
            ("object_key", f"uploads/2024/05/{fill('{hex:32}', rng)}.jpg"),
        ]
    )
    return assign(style, name, value, rng)


def _ansible_vault(rng: random.Random) -> list[str]:
    rows = ["$ANSIBLE_VAULT;1.1;AES256"] + [fill("{hex:80}", rng) for _ in range(rng.randint(4, 7))]
    return rows


DECOYS: list[DecoyKind] = [
    DecoyKind("placeholder", 40, _assign_decoy(lambda r: (r.choice(SECRETISH), r.choice(PLACEHOLDERS)))),
    DecoyKind(
        "prefixed-placeholder", 22, _assign_decoy(lambda r: (r.choice(SECRETISH), _prefixed_placeholder(r)))
    ),
    DecoyKind("env-reference", 45, lambda s, r: _env_ref(s, r.choice(SECRETISH), r)),
    DecoyKind("docs-example-key", 16, _assign_decoy(_example_key)),
    DecoyKind("git-sha", 25, _git_sha_decoy),
    DecoyKind("hash-digest", 30, _hash_decoy),
    DecoyKind("uuid", 30, _uuid_decoy),
    DecoyKind(
        "data-url-image",
        8,
        _assign_decoy(
            lambda r: (r.choice(["icon", "logo", "placeholder_image", "favicon"]), _png_data_url(r))
        ),
    ),
    DecoyKind(
        "base64-protobuf",
        10,
        _assign_decoy(
            lambda r: (r.choice(["payload", "descriptor", "serialized_pb", "fixture_blob"]), _protobuf_b64(r))
        ),
    ),
    DecoyKind(
        "i18n-password-text", 20, _i18n, frozenset({"json", "yaml", "properties", "py", "js", "rb", "php"})
    ),
    DecoyKind("fake-test-token", 20, _fake_test_token),
    DecoyKind(
        "token-regex",
        12,
        _token_regex,
        frozenset({"py", "js", "go", "rb", "java", "rs", "yaml", "md", "toml"}),
    ),
    DecoyKind("password-variable", 30, _password_var),
    DecoyKind("truncated-lookalike", 25, _assign_decoy(lambda r: (r.choice(SECRETISH), _truncated(r)))),
    DecoyKind("publishable-key", 14, _assign_decoy(_publishable)),
    DecoyKind("stripe-object-id", 10, _assign_decoy(_stripe_object_id)),
    DecoyKind(
        "aws-arn",
        8,
        _assign_decoy(
            lambda r: (
                r.choice(["role_arn", "execution_role", "bucket_arn"]),
                f"arn:aws:iam::{fill('{digits:12}', r)}:role/{r.choice(['deploy', 'ci-runner', 'lambda-exec'])}",
            )
        ),
    ),
    DecoyKind("url-without-password", 14, _assign_decoy(_safe_url)),
    DecoyKind(
        "encrypted-value",
        6,
        _assign_decoy(lambda r: (r.choice(["password", "api_token", "db_password"]), _sops(r))),
        frozenset({"yaml", "json", "env"}),
    ),
    DecoyKind(
        "password-hash",
        6,
        _assign_decoy(
            lambda r: (
                r.choice(["password_hash", "hashed_password", "encrypted_password"]),
                _password_hash(r),
            )
        ),
        frozenset({"yaml", "json", "py", "rb", "sh"}),
    ),
    DecoyKind("prose", 15, _prose),
    DecoyKind("empty-value", 15, _empty),
    DecoyKind("secret-manager-reference", 12, _assign_decoy(_secret_ref)),
    DecoyKind("high-entropy-id", 12, _high_entropy_id),
]


# --- ordinary code ---------------------------------------------------------------------------------------------

NOUNS = [
    "invoice",
    "customer",
    "order",
    "report",
    "session",
    "upload",
    "webhook",
    "account",
    "project",
    "payment",
    "shipment",
    "ticket",
    "metric",
    "event",
    "team",
    "cart",
    "export",
    "build",
]
VERBS = [
    "load",
    "sync",
    "fetch",
    "render",
    "validate",
    "publish",
    "archive",
    "refresh",
    "retry",
    "resolve",
    "parse",
    "schedule",
]


def _words(rng: random.Random) -> dict[str, str]:
    n1, n2 = rng.sample(NOUNS, 2)
    v = rng.choice(VERBS)
    return {
        "@N": n1,
        "@M": n2,
        "@V": v,
        "@P": pascal(n1),
        "@Q": pascal(n2),
        "@W": pascal(v),
        "@K": str(rng.randint(2, 500)),
    }


def _sub(lines: list[str], rng: random.Random) -> list[str]:
    words = _words(rng)
    out = []
    for line in lines:
        for key, value in words.items():
            line = line.replace(key, value)
        out.append(line)
    return out


FILLER: dict[str, list[list[str]]] = {
    "py": [
        [
            "",
            "",
            "def @V_@N(@M_id: int, *, limit: int = @K) -> list[dict]:",
            '    """@W the @N rows of one @M."""',
            "    rows = db.query(@P).filter_by(@M_id=@M_id).limit(limit).all()",
            '    log.debug("@V_@N: %d rows", len(rows))',
            "    return [row.to_dict() for row in rows]",
        ],
        ["", "", "class @P@WError(RuntimeError):", '    """Raised when a @N cannot be @Ved."""'],
        [
            "",
            "",
            "@dataclass(frozen=True)",
            "class @P:",
            "    id: int",
            "    @M_id: int",
            '    status: str = "pending"',
            "    retries: int = 0",
        ],
        ["", "", "def _@N_key(@N: @P) -> tuple[int, str]:", "    return (@N.@M_id, @N.status)"],
        [
            "",
            "",
            "async def @V_@M(client: httpx.AsyncClient, @M_id: int) -> dict:",
            '    response = await client.get(f"/@Ms/{@M_id}", timeout=@K)',
            "    response.raise_for_status()",
            "    return response.json()",
        ],
    ],
    "js": [
        [
            "",
            "export async function @V@Q(@MId) {",
            "  const res = await api.get(`/@Ms/${@MId}`);",
            "  if (!res.ok) throw new Error(`@V failed: ${res.status}`);",
            "  return res.json();",
            "}",
        ],
        ["", "function format@P(@N) {", "  return `${@N.id} (${@N.status})`;", "}"],
        [
            "",
            "const @N@QMap = new Map();",
            "for (const item of items) {",
            "  @N@QMap.set(item.id, item);",
            "}",
        ],
        ["", "export default {", "  name: '@N-@M',", "  timeout: @K,", "  retries: 3,", "};"],
    ],
    "go": [
        [
            "",
            "func (s *Service) @W@P(ctx context.Context, id int64) (*@P, error) {",
            '\trow := s.db.QueryRowContext(ctx, "SELECT id, status FROM @Ns WHERE id = $1", id)',
            "\tvar n @P",
            "\tif err := row.Scan(&n.ID, &n.Status); err != nil {",
            '\t\treturn nil, fmt.Errorf("@V @N %d: %w", id, err)',
            "\t}",
            "\treturn &n, nil",
            "}",
        ],
        [
            "",
            "type @P struct {",
            '\tID     int64  `json:"id"`',
            '\tStatus string `json:"status"`',
            '\t@QID  int64  `json:"@M_id"`',
            "}",
        ],
        ["", "const default@PLimit = @K"],
    ],
    "java": [
        [
            "",
            "    public List<@P> @V@Ps(long @MId) {",
            "        return repository.findBy@QId(@MId).stream()",
            "            .filter(n -> n.getStatus() != Status.ARCHIVED)",
            "            .collect(Collectors.toList());",
            "    }",
        ],
        ["", "    private static final int MAX_@N_RETRIES = @K;".replace("@N", "ITEM")],
        [
            "",
            "    @Override",
            "    public String toString() {",
            '        return "@P{" + "id=" + id + "}";',
            "    }",
        ],
    ],
    "cs": [
        [
            "",
            "    public async Task<@P?> @W@PAsync(int id, CancellationToken ct)",
            "    {",
            "        var @N = await _db.@Ps.FindAsync(new object[] { id }, ct);",
            '        _logger.LogInformation("@V {Id}", id);',
            "        return @N;",
            "    }",
        ],
        ["", "    public int Max@QCount { get; init; } = @K;"],
    ],
    "rb": [
        ["", "  def @V_@N(@M_id)", "    @P.where(@M_id: @M_id).limit(@K).map(&:to_h)", "  end"],
        ["", "  scope :recent, -> { where('created_at > ?', 7.days.ago) }"],
        ["", "  def self.@V!", "    find_each(batch_size: @K) { |@N| @N.touch }", "  end"],
    ],
    "php": [
        [
            "",
            "    public function @V@P(int $@MId): array",
            "    {",
            "        return $this->repository->findBy(['@M_id' => $@MId], limit: @K);",
            "    }",
        ],
        ["", "    private int $max@Q = @K;"],
    ],
    "rs": [
        [
            "",
            "pub fn @V_@N(@M_id: u64) -> Result<Vec<@P>, Error> {",
            "    let rows = query_@Ns(@M_id)?;",
            "    Ok(rows.into_iter().filter(|n| n.active).collect())",
            "}",
        ],
        [
            "",
            "#[derive(Debug, Clone, Serialize, Deserialize)]",
            "pub struct @P {",
            "    pub id: u64,",
            "    pub @M_id: u64,",
            "    pub active: bool,",
            "}",
        ],
    ],
    "sh": [
        ["", 'log() { printf "%s %s\\n" "$(date -u +%FT%TZ)" "$*" >&2; }'],
        [
            "",
            'for @N in "${@NS[@]}"; do'.replace("@NS", "ITEMS"),
            '  log "@V $@N"',
            '  ./bin/@V-@N "$@N" --retries 3',
            "done",
        ],
        ["", 'if [[ ! -d "$WORKDIR/@Ns" ]]; then', '  mkdir -p "$WORKDIR/@Ns"', "fi"],
        ["", "kubectl -n @N rollout status deploy/@M --timeout=@Ks"],
    ],
    "md": [
        [
            "",
            "## @W the @Ns",
            "",
            "The @N job runs every @K minutes and @Vs the pending @Ms. It is safe to run by hand:",
            "",
        ],
        [
            "",
            "If a @N is stuck in `pending`, check the worker logs first, then retry it from the admin page.",
            "",
        ],
        [
            "",
            "| setting | default | meaning |",
            "| --- | --- | --- |",
            "| `@N_timeout` | @K | seconds before a @N is retried |",
            "",
        ],
    ],
    "yaml": [
        ["@N_timeout: @K"],
        ["@M_enabled: true"],
        ["@N_queue: @M-@V"],
        ["max_@Ms: @K"],
        ["log_level: info"],
    ],
    "json": [['"@NTimeout": @K'], ['"@MEnabled": true'], ['"@NQueue": "@M-@V"'], ['"max@Qs": @K']],
    "toml": [["@N_timeout = @K"], ["@M_enabled = true"], ['@N_queue = "@M-@V"']],
    "ini": [["@N_timeout = @K"], ["@M_enabled = true"], ["@N_queue = @M-@V"]],
    "properties": [["@N.timeout=@K"], ["@M.enabled=true"], ["@N.queue=@M-@V"]],
    "env": [["@N_TIMEOUT=@K"], ["@M_ENABLED=true"], ["LOG_LEVEL=info"], [""], ["# @N settings"]],
    "dockerfile": [
        ["RUN pip install --no-cache-dir -r requirements.txt"],
        ["COPY . /app"],
        ["WORKDIR /app"],
        ["EXPOSE 8080"],
        [
            "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*"
        ],
    ],
    "tf": [["@N_count = @K"], ['@M_tier = "standard"'], ["enable_@N = true"]],
    "xml": [['<add key="@PTimeout" value="@K" />'], ['<add key="@QEnabled" value="true" />']],
}
FILLER["ipynb"] = FILLER["py"]


def filler(style: str, rng: random.Random) -> list[str]:
    lines = _sub(rng.choice(FILLER[style]), rng)
    if style == "env":
        return [line.upper() if "=" in line else line for line in lines]
    return lines


# --- the files -------------------------------------------------------------------------------------------------


@dataclass
class Item:
    lines: list[str]
    record: tuple[str, str, object] | None  # ("plant", kind, value) or ("decoy", kind, None)
    first: int = 0  # which of ``lines`` the record starts and ends at
    last: int = 0


@dataclass
class FileSpec:
    path: str
    style: str
    flavor: str = ""
    items: list[Item] = field(default_factory=list)
    takes: bool = True  # receives planted secrets and decoys from the pool


CODE_FILES = {
    "py": "app/settings.py app/config.py app/integrations/slack.py app/integrations/github_client.py app/integrations/payments.py app/services/storage.py app/services/ai.py app/services/mailer.py app/db.py app/tasks.py app/api/views.py app/api/auth.py scripts/deploy.py scripts/backfill.py scripts/rotate_keys.py tests/conftest.py tests/test_api.py tests/test_auth.py tests/fixtures/tokens.py tests/test_webhooks.py tools/lint_tokens.py manage.py setup.py app/utils/crypto.py",
    "js": "web/src/api/client.ts web/src/config.ts web/src/lib/analytics.js web/src/lib/stripe.js web/src/pages/login.tsx web/src/i18n.ts server/index.js server/routes/webhooks.js server/db.js server/jobs/sync.ts web/webpack.config.js web/src/lib/upload.ts server/test/auth.test.js web/next.config.js",
    "go": "cmd/api/main.go internal/config/config.go internal/storage/s3.go internal/notify/slack.go internal/auth/jwt.go internal/auth/jwt_test.go pkg/client/client.go internal/db/db.go",
    "java": "services/billing/src/main/java/com/acme/billing/BillingConfig.java services/billing/src/main/java/com/acme/billing/PaymentClient.java services/billing/src/main/java/com/acme/billing/StorageService.java services/billing/src/main/java/com/acme/billing/NotificationService.java services/billing/src/test/java/com/acme/billing/PaymentClientTest.java android/app/src/main/java/com/acme/app/ApiKeys.java services/search/src/main/java/com/acme/search/SearchClient.java",
    "cs": "dotnet/Acme.Api/Program.cs dotnet/Acme.Api/Services/BlobService.cs dotnet/Acme.Api/Services/EmailService.cs dotnet/Acme.Api.Tests/ClientTests.cs dotnet/Acme.Worker/Worker.cs",
    "rb": "rails/config/initializers/stripe.rb rails/app/services/github_sync.rb rails/config/initializers/sidekiq.rb rails/spec/support/fake_tokens.rb rails/lib/tasks/backup.rake",
    "php": "php/config/services.php php/src/Mailer.php php/src/Payment/Gateway.php php/wp-config.php php/tests/GatewayTest.php",
    "rs": "rust/src/main.rs rust/src/config.rs rust/src/client.rs rust/tests/integration.rs rust/build.rs",
    "sh": "scripts/deploy.sh scripts/backup-db.sh scripts/bootstrap.sh scripts/release.sh ops/rotate.sh ops/smoke-test.sh scripts/seed.sh ci/publish.sh Makefile",
    "md": "README.md docs/setup.md docs/deploy.md docs/api.md docs/integrations/slack.md docs/integrations/stripe.md docs/troubleshooting.md CONTRIBUTING.md docs/security.md CHANGELOG.md docs/adr/0007-secrets.md docs/runbooks/database.md",
    "ipynb": "notebooks/exploration.ipynb notebooks/model_eval.ipynb notebooks/etl_debug.ipynb",
    "dockerfile": "Dockerfile services/worker/Dockerfile web/Dockerfile docker/ci.Dockerfile",
    "tf": "infra/main.tf infra/providers.tf infra/variables.tf infra/terraform.tfvars infra/modules/db/main.tf infra/dns.tf",
    "xml": "services/billing/pom.xml ci/maven-settings.xml dotnet/Acme.Legacy/Web.config dotnet/Acme.Legacy/App.config android/app/src/main/res/values/secrets.xml config/log4j2.xml",
    "env": ".env .env.local .env.production .env.example services/worker/.env web/.env.development .env.test",
    "toml": "pyproject.toml rust/Cargo.toml config/app.toml netlify.toml .cargo/config.toml",
    "ini": "setup.cfg alembic.ini config/app.ini tox.ini config/odbc.ini",
    "properties": "services/billing/src/main/resources/application.properties services/search/src/main/resources/application-prod.properties gradle.properties android/local.properties",
    "json": "config/default.json config/production.json package.json composer.json tsconfig.json tests/fixtures/webhook_payload.json tests/fixtures/api_response.json .vscode/settings.json dotnet/Acme.Api/appsettings.json dotnet/Acme.Api/appsettings.Development.json firebase.json tests/fixtures/users.json",
}
YAML_FILES = {
    "k8s-deploy": "k8s/api-deployment.yaml k8s/worker-deployment.yaml k8s/cronjob.yaml",
    "k8s-config": "k8s/configmap.yaml helm/acme/values.yaml helm/acme/values-prod.yaml",
    "ci": ".github/workflows/ci.yml .github/workflows/deploy.yml .github/workflows/release.yml .github/workflows/nightly.yml .gitlab-ci.yml .circleci/config.yml bitbucket-pipelines.yml .buildkite/pipeline.yml .travis.yml",
    "compose": "docker-compose.yml docker-compose.override.yml deploy/compose/monitoring.yml",
    "plain": "config/app.yaml config/production.yaml ansible/group_vars/all.yml serverless.yml openapi.yaml rails/config/database.yml rails/config/storage.yml config/secrets.enc.yaml mkdocs.yml",
}
I18N_FILES = {
    "locales/en.json": "json",
    "locales/fr.json": "json",
    "locales/en.yml": "yaml",
    "web/src/i18n.ts": "js",
    "services/billing/src/main/resources/messages.properties": "properties",
}


def _layout() -> list[FileSpec]:
    specs: list[FileSpec] = []
    for style, paths in CODE_FILES.items():
        specs += [FileSpec(p, style) for p in paths.split()]
    for flavor, paths in YAML_FILES.items():
        specs += [FileSpec(p, "yaml", flavor) for p in paths.split()]
    known = {s.path for s in specs}
    specs += [FileSpec(p, style, "i18n") for p, style in I18N_FILES.items() if p not in known]
    return specs


def _render_code(spec: FileSpec, rng: random.Random) -> list[Item]:
    """Header, then filler chunks with the items between them, then a footer."""
    style = spec.style
    head, foot = _frame(spec, rng)
    out = [Item(head, None)]
    items = list(spec.items)
    chunks = max(3, len(items) + rng.randint(1, 3))
    slots = sorted(rng.sample(range(chunks), min(len(items), chunks))) if items else []
    queue = list(items)
    for i in range(chunks):
        if style in FILLER:
            out.append(Item(filler(style, rng), None))
        while slots and slots[0] == i and queue:
            slots.pop(0)
            out.append(queue.pop(0))
    out += queue
    out.append(Item(foot, None))
    return out


def _frame(spec: FileSpec, rng: random.Random) -> tuple[list[str], list[str]]:
    style, name = spec.style, Path(spec.path).stem
    cls = pascal(re.sub(r"[^A-Za-z0-9_]", "_", name)) or "Main"
    if style == "py":
        return [
            '"""' + name.replace("_", " ").capitalize() + '."""',
            "",
            "from __future__ import annotations",
            "",
            "import logging",
            "import os",
            "import re",
            "",
            "log = logging.getLogger(__name__)",
            "",
        ], [""]
    if style == "js":
        return [
            "import { api } from './http';",
            "import logger from './logger';",
            "",
            "const DEFAULT_TIMEOUT = 30_000;",
            "",
        ], ["", "export { DEFAULT_TIMEOUT };"]
    if style == "go":
        pkg = Path(spec.path).parent.name.replace("-", "") or "main"
        return [f"package {pkg}", "", "import (", '\t"context"', '\t"fmt"', '\t"os"', ")", ""], [""]
    if style == "java":
        return [
            "package com.acme;",
            "",
            "import java.util.List;",
            "import java.util.stream.Collectors;",
            "",
            f"public class {cls} {{",
        ], ["}"]
    if style == "cs":
        return [
            "using System;",
            "using System.Net.Http;",
            "",
            "namespace Acme;",
            "",
            f"public class {cls}",
            "{",
        ], ["}"]
    if style == "rb":
        return ["# frozen_string_literal: true", "", f"class {cls}"], ["end"]
    if style == "php":
        return ["<?php", "", "declare(strict_types=1);", "", f"final class {cls}", "{"], ["}"]
    if style == "rs":
        return ["use serde::{Deserialize, Serialize};", "use std::error::Error;", ""], [""]
    if style == "sh":
        if spec.path == "Makefile":
            return [".PHONY: deploy test", "", "deploy:", "\t./scripts/deploy.sh", ""], [""]
        return ["#!/usr/bin/env bash", "set -euo pipefail", "", 'WORKDIR="${WORKDIR:-/srv/acme}"', ""], [
            "",
            'log "done"',
        ]
    if style == "md":
        return [
            f"# {name.replace('-', ' ').replace('_', ' ').title()}",
            "",
            "This page explains how to run the service locally and in production.",
            "",
        ], [""]
    if style == "dockerfile":
        return [f"FROM python:3.{rng.choice([11, 12])}-slim AS base", "ENV PYTHONDONTWRITEBYTECODE=1"], [
            'CMD ["gunicorn", "app.wsgi:application", "--bind", "0.0.0.0:8080"]'
        ]
    if style == "tf":
        return ["terraform {", '  required_version = ">= 1.5"', "}", "", "locals {"], [
            "}",
            "",
            'resource "aws_s3_bucket" "artifacts" {',
            '  bucket = "acme-artifacts"',
            "}",
        ]
    if style == "xml" and spec.path.endswith("maven-settings.xml"):
        head = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            "<settings>",
            "  <servers>",
            "    <server>",
            "      <id>nexus</id>",
        ]
        return head, ["    </server>", "  </servers>", "</settings>"]
    if style == "xml" and spec.path.endswith("pom.xml"):
        head = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            "<project>",
            "  <modelVersion>4.0.0</modelVersion>",
            "  <artifactId>billing</artifactId>",
            "  <properties>",
        ]
        return head, ["  </properties>", "</project>"]
    if style == "xml":
        return ['<?xml version="1.0" encoding="utf-8"?>', "<configuration>", "  <appSettings>"], [
            "  </appSettings>",
            "</configuration>",
        ]
    if style == "env":
        return [f"# {spec.path} for the acme services", ""], [""]
    if style == "toml":
        return ["[tool.acme]" if spec.path == "pyproject.toml" else "[settings]"], [""]
    if style == "ini":
        return ["[default]"], [""]
    if style == "properties":
        return ["# application settings", "server.port=8080"], [""]
    raise ValueError(style)


def _indent(items: list[Item], prefix: str) -> list[Item]:
    return [
        Item([prefix + line if line else line for line in it.lines], it.record, it.first, it.last)
        for it in items
    ]


def _render_yaml(spec: FileSpec, rng: random.Random) -> list[Item]:
    items = spec.items
    fill_items = [Item(filler("yaml", rng), None) for _ in range(max(2, len(items)))]
    body = _interleave(items, fill_items, rng)
    flavor = spec.flavor
    if flavor == "k8s-deploy":
        name = Path(spec.path).stem
        head = [
            "apiVersion: apps/v1",
            "kind: Deployment",
            "metadata:",
            f"  name: {name}",
            "spec:",
            "  template:",
            "    spec:",
            "      containers:",
            f"        - name: {name}",
            f"          image: ghcr.io/acme/{name}:1.4.2",
            "          env:",
        ]
        env: list[Item] = []
        for it in body:
            if it.record is None:
                key = it.lines[0].split(":")[0].upper()
                env.append(
                    Item([f"- name: {key}", f'  value: "{it.lines[0].split(":", 1)[1].strip()}"'], None)
                )
            elif (
                len(it.lines) == 1
                and ": " in it.lines[0]
                and not it.lines[0].startswith(("image:", "rev:", "regex:"))
            ):
                key, value = it.lines[0].split(": ", 1)
                env.append(Item([f"- name: {upper(key)}", f"  value: {value}"], it.record, 1, 1))
            else:
                env.append(
                    Item(
                        ["- name: NOTE", "  value: |", *("    " + ln for ln in it.lines)],
                        it.record,
                        it.first + 2,
                        it.last + 2,
                    )
                )
        return [Item(head, None), *_indent(env, "            ")]
    if flavor == "k8s-config":
        head = (
            ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: acme-config", "data:"]
            if "configmap" in spec.path
            else ["replicaCount: 2", "image:", "  repository: ghcr.io/acme/api", "  tag: 1.4.2", "config:"]
        )
        return [Item(head, None), *_indent(body, "  ")]
    if flavor == "ci":
        head = (
            ["name: ci", "on:", "  push:", "    branches: [main]", "env:"]
            if spec.path.startswith(".github")
            else ["variables:"]
        )
        foot = [
            "jobs:" if spec.path.startswith(".github") else "stages: [test, deploy]",
            "  test:" if spec.path.startswith(".github") else "test:",
            "    runs-on: ubuntu-latest" if spec.path.startswith(".github") else "  stage: test",
            "    steps:" if spec.path.startswith(".github") else "  script:",
        ]
        foot += (
            ["      - uses: actions/checkout@v4", "      - run: make test"]
            if spec.path.startswith(".github")
            else ["    - make test"]
        )
        return [Item(head, None), *_indent(body, "  "), Item(foot, None)]
    if flavor == "compose":
        head = [
            "services:",
            "  api:",
            "    image: ghcr.io/acme/api:1.4.2",
            "    ports:",
            '      - "8080:8080"',
            "    environment:",
        ]
        return [Item(head, None), *_indent(body, "      "), Item(["  db:", "    image: postgres:16"], None)]
    head = [f"# {spec.path}", f"{Path(spec.path).stem.replace('-', '_').replace('.', '_')}:"]
    return [Item(head, None), *_indent(body, "  ")]


def _interleave(items: list[Item], fills: list[Item], rng: random.Random) -> list[Item]:
    out = list(fills)
    for it in items:
        out.insert(rng.randint(0, len(out)), it)
    return out


def _render_json(spec: FileSpec, rng: random.Random) -> list[Item]:
    fills = [Item(filler("json", rng), None) for _ in range(max(3, len(spec.items) + 1))]
    body = _interleave(spec.items, fills, rng)
    section = "settings" if spec.flavor != "i18n" else "messages"
    out = [Item(["{", '  "name": "acme",', '  "version": "2.3.0",', f'  "{section}": {{'], None)]
    for i, it in enumerate(body):
        assert len(it.lines) == 1, it.lines
        comma = "," if i < len(body) - 1 else ""
        out.append(Item(["    " + it.lines[0] + comma], it.record, 0, 0))
    out.append(Item(["  }", "}"], None))
    return out


def _render_notebook(spec: FileSpec, rng: random.Random) -> list[Item]:
    out = [Item(["{", ' "cells": ['], None)]
    items = list(spec.items)
    cells = max(3, len(items) + 1)
    groups: list[list[Item]] = [[] for _ in range(cells)]
    for it in items:
        groups[rng.randrange(cells)].append(it)
    for c, group in enumerate(groups):
        source = _interleave(group, [Item([line], None) for line in filler("py", rng) if line], rng)
        out.append(
            Item(
                [
                    "  {",
                    '   "cell_type": "code",',
                    f'   "execution_count": {c + 1},',
                    '   "metadata": {},',
                    '   "outputs": [],',
                    '   "source": [',
                ],
                None,
            )
        )
        for i, it in enumerate(source):
            text = json.dumps(it.lines[0] + ("\n" if i < len(source) - 1 else ""))
            out.append(Item(["    " + text + ("," if i < len(source) - 1 else "")], it.record, 0, 0))
        out.append(Item(["   ]", "  }" + ("," if c < cells - 1 else "")], None))
    out.append(
        Item(
            [
                " ],",
                ' "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},',
                ' "nbformat": 4,',
                ' "nbformat_minor": 5',
                "}",
            ],
            None,
        )
    )
    return out


def _render_md(spec: FileSpec, rng: random.Random) -> list[Item]:
    head, _ = _frame(spec, rng)
    out = [Item(head, None)]
    for it in spec.items:
        out.append(Item(filler("md", rng), None))
        if (
            it.record
            and it.record[0] == "decoy"
            and it.record[1] in ("prose", "git-sha", "password-variable", "token-regex")
            and not it.lines[0].startswith(" ")
        ):
            out.append(it)
            continue
        lang = rng.choice(["bash", "sh", "console"])
        out += [Item(["", f"```{lang}"], None), it, Item(["```", ""], None)]
    out.append(Item(filler("md", rng), None))
    return out


# --- the dedicated credential files ----------------------------------------------------------------------------


class Corpus:
    """Collects files as lists of :class:`Item` and writes them with the manifest."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(f"{seed}/layout")
        self.counter: dict[str, int] = {}
        self.files: dict[str, list[Item]] = {}

    def value(self, kind: Kind) -> str:
        n = self.counter.get(kind.name, 0)
        self.counter[kind.name] = n + 1
        return kind.make(random.Random(f"{self.seed}/{kind.name}/{n}"))

    def plant(
        self, kind_name: str, lines: list[str], value: str, first: int = 0, last: int | None = None
    ) -> Item:
        return Item(lines, ("plant", kind_name, value), first, first if last is None else last)

    def decoy(self, kind_name: str, lines: list[str], first: int = 0, last: int | None = None) -> Item:
        return Item(lines, ("decoy", kind_name, None), first, first if last is None else last)


def _dedicated(c: Corpus) -> dict[str, list[Item]]:
    """Files whose whole shape is a credential format: .npmrc, .pypirc, .netrc, PEM files, service accounts..."""
    files: dict[str, list[Item]] = {}
    k = KIND_BY_NAME
    text = lambda *lines: Item(list(lines), None)  # noqa: E731

    npm = c.value(k["npm-token"])
    gh = c.value(k["github-pat-classic"])
    files[".npmrc"] = [
        text(
            "registry=https://registry.npmjs.org/",
            "@acme:registry=https://npm.pkg.github.com",
            "always-auth=true",
        ),
        c.plant("npm-token", ["//registry.npmjs.org/:_authToken=" + npm], npm),
        c.plant("github-pat-classic", ["//npm.pkg.github.com/:_authToken=" + gh], gh),
    ]
    files["web/.npmrc"] = [
        text("engine-strict=true"),
        c.decoy("env-reference", ["//registry.npmjs.org/:_authToken=${NPM_TOKEN}"]),
        text("save-exact=true"),
    ]
    pypi = c.value(k["pypi-token"])
    files[".pypirc"] = [
        text(
            "[distutils]", "index-servers =", "    pypi", "    internal", "", "[pypi]", "username = __token__"
        ),
        c.plant("pypi-token", ["password = " + pypi], pypi),
        text(
            "",
            "[internal]",
            "repository = https://nexus.acme.io/repository/pypi-internal/",
            "username = ci-bot",
        ),
        c.decoy("env-reference", ["password = ${NEXUS_PASSWORD}"]),
    ]
    heroku = c.value(k["heroku-platform-token"])
    netrc = c.value(k["netrc-password"])
    files[".netrc"] = [
        c.plant(
            "heroku-platform-token", ["machine api.heroku.com login ops@acme.io password " + heroku], heroku
        ),
        c.plant("netrc-password", ["machine ftp.partner.example.com login acme password " + netrc], netrc),
        c.decoy("placeholder", ["machine example.com login <user> password <password>"]),
    ]
    basic = c.value(k["https-basic-auth-url"])
    gl = c.value(k["gitlab-pat"])
    files[".git-credentials"] = [
        c.plant("https-basic-auth-url", [basic], basic),
        c.plant("gitlab-pat", [f"https://oauth2:{gl}@gitlab.com"], gl),
    ]
    auth = c.value(k["docker-config-auth"])
    files[".docker/config.json"] = [
        text("{", '  "auths": {', '    "https://index.docker.io/v1/": {'),
        c.plant("docker-config-auth", [f'      "auth": "{auth}"'], auth),
        text("    },", '    "ghcr.io": {'),
        c.decoy("empty-value", ['      "auth": ""']),
        text("    }", "  },", '  "credsStore": "desktop"', "}"),
    ]
    key_data = c.value(k["kubeconfig-client-key"])
    bearer = c.value(k["jwt"])
    files["deploy/kubeconfig"] = [
        text(
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- cluster:",
            "    server: https://k8s.acme.io:6443",
        ),
        c.decoy(
            "public-key",
            [
                "    certificate-authority-data: "
                + b64(
                    (
                        "-----BEGIN CERTIFICATE-----\n"
                        + b64(c.rng.randbytes(600))
                        + "\n-----END CERTIFICATE-----\n"
                    ).encode()
                )
            ],
        ),
        text("  name: prod", "users:", "- name: deployer", "  user:"),
        c.plant("kubeconfig-client-key", ["    client-key-data: " + key_data], key_data),
        c.plant("jwt", ["    token: " + bearer], bearer),
        text(
            "contexts:", "- context: {cluster: prod, user: deployer}", "  name: prod", "current-context: prod"
        ),
    ]
    akid, secret, session = (
        c.value(k["aws-temporary-access-key-id"]),
        c.value(k["aws-secret-access-key"]),
        c.value(k["aws-session-token"]),
    )
    files[".aws/credentials"] = [
        text("[default]"),
        c.decoy("docs-example-key", ["aws_access_key_id = " + P("AK", "IA", "IOSFODNN7", "EXAMPLE")]),
        c.decoy(
            "docs-example-key",
            ["aws_secret_access_key = " + P("wJalrXUtnFEMI", "/K7MDENG/bPxRfiCY", "EXAMPLE", "KEY")],
        ),
        text("", "[prod-deploy]"),
        c.plant("aws-temporary-access-key-id", ["aws_access_key_id = " + akid], akid),
        c.plant("aws-secret-access-key", ["aws_secret_access_key = " + secret], secret),
        c.plant("aws-session-token", ["aws_session_token = " + session], session),
        text("region = us-east-1"),
    ]
    for path in ("infra/gcp/service-account.json", "config/gcp-credentials.json"):
        project = c.rng.choice(["acme-prod", "acme-data-421", "billing-eu"])
        pem = c.value(k["gcp-service-account"])
        email = f"{c.rng.choice(['deployer', 'etl-runner', 'ci'])}@{project}.iam.gserviceaccount.com"
        lines = [
            "{",
            '  "type": "service_account",',
            f'  "project_id": "{project}",',
            f'  "private_key_id": "{fill("{hex:40}", c.rng)}",',
            f'  "private_key": "{pem}",',
            f'  "client_email": "{email}",',
            f'  "client_id": "{fill("{digits:21}", c.rng)}",',
            '  "auth_uri": "https://accounts.google.com/o/oauth2/auth",',
            '  "token_uri": "https://oauth2.googleapis.com/token",',
            f'  "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/{email.replace("@", "%40")}"',
            "}",
        ]
        files[path] = [Item(lines, ("plant", "gcp-service-account", pem), 1, 9)]
    # PEM files
    for path, kind in (
        ("keys/deploy_rsa", "rsa-private-key"),
        ("certs/server.key", "ec-private-key"),
        ("certs/tls.key", "pkcs8-private-key"),
        ("keys/id_ed25519", "openssh-private-key"),
        ("keys/release-signing.asc", "pgp-private-key"),
        ("keys/legacy_dsa.pem", "dsa-private-key"),
        ("keys/ci.ppk", "putty-private-key"),
    ):
        pem = c.value(k[kind])
        rows = pem.split("\n")
        files[path] = [Item(rows, ("plant", kind, pem), 0, len(rows) - 1)]
    for path in ("certs/server.crt", "keys/public.pem", "keys/release-signing.pub.asc"):
        pem = _public_pem(random.Random(f"{c.seed}/{path}"))
        rows = pem.split("\n")
        files[path] = [c.decoy("public-key", rows, 0, len(rows) - 1)]
    for path in ("keys/deploy_rsa.pub", "keys/authorized_keys", "keys/known_hosts"):
        r = random.Random(f"{c.seed}/{path}")
        rows = [_ssh_public(r) for _ in range(1 if path.endswith(".pub") else 4)]
        if path.endswith("known_hosts"):
            rows = [
                f"{h} {row.rsplit(' ', 1)[0]}"
                for h, row in zip(
                    ["github.com", "gitlab.com", "bitbucket.org", "10.0.3.4"], rows, strict=True
                )
            ]
        files[path] = [c.decoy("public-key", [row]) for row in rows]
    # Kubernetes secrets: base64 data and a TLS key in stringData
    v1, v2 = c.value(k["k8s-secret-data"]), c.value(k["k8s-secret-data"])
    tls = c.value(k["rsa-private-key"])
    rows = tls.split("\n")
    files["k8s/secrets.yaml"] = [
        text(
            "apiVersion: v1",
            "kind: Secret",
            "metadata:",
            "  name: db-credentials",
            "type: Opaque",
            "data:",
            "  username: " + b64(b"app"),
        ),
        c.plant("k8s-secret-data", ["  password: " + v1], v1),
        c.plant("k8s-secret-data", ["  replication-password: " + v2], v2),
        text(
            "---",
            "apiVersion: v1",
            "kind: Secret",
            "metadata:",
            "  name: api-tls",
            "type: kubernetes.io/tls",
            "stringData:",
        ),
        Item(["  tls.key: |", *("    " + r for r in rows)], ("plant", "rsa-private-key", tls), 1, len(rows)),
    ]
    files["k8s/sealed-secret.yaml"] = [
        text(
            "apiVersion: bitnami.com/v1alpha1",
            "kind: SealedSecret",
            "metadata:",
            "  name: payments",
            "spec:",
            "  encryptedData:",
        ),
        c.decoy("encrypted-value", ["    api_token: Ag" + b64(c.rng.randbytes(380))]),
        c.decoy("encrypted-value", ["    db_password: Ag" + b64(c.rng.randbytes(380))]),
    ]
    vault = _ansible_vault(c.rng)
    files["ansible/group_vars/vault.yml"] = [c.decoy("encrypted-value", vault, 0, len(vault) - 1)]
    files["ansible/host_vars/db1.yml"] = [
        text("postgres_port: 5432", "postgres_password: !vault |"),
        c.decoy("encrypted-value", ["  " + r for r in _ansible_vault(c.rng)], 0, 5),
    ]
    # lock files and integrity hashes
    r = random.Random(f"{c.seed}/locks")
    pkgs = [
        "react",
        "lodash",
        "axios",
        "zod",
        "dayjs",
        "express",
        "uuid",
        "chalk",
        "yaml",
        "commander",
        "semver",
        "debug",
    ]
    lock: list[Item] = [text("{", '  "name": "acme-web",', '  "lockfileVersion": 3,', '  "packages": {')]
    for i, pkg in enumerate(pkgs):
        lock += [
            text(
                f'    "node_modules/{pkg}": {{',
                f'      "version": "{r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 9)}",',
                f'      "resolved": "https://registry.npmjs.org/{pkg}/-/{pkg}-1.0.0.tgz",',
            ),
            c.decoy("lockfile-integrity", [f'      "integrity": "sha512-{b64(r.randbytes(64))}"']),
            text("    }" + ("," if i < len(pkgs) - 1 else "")),
        ]
    files["web/package-lock.json"] = [*lock, text("  }", "}")]
    yarn: list[Item] = [text("# yarn lockfile v1", "")]
    for pkg in pkgs[:8]:
        yarn += [
            text(
                f"{pkg}@^1.0.0:",
                '  version "1.2.3"',
                f'  resolved "https://registry.yarnpkg.com/{pkg}/-/{pkg}-1.2.3.tgz#{_sha(40)(r)}"',
            ),
            c.decoy("lockfile-integrity", [f"  integrity sha512-{b64(r.randbytes(64))}"]),
            text(""),
        ]
    files["web/yarn.lock"] = yarn
    poetry: list[Item] = []
    for pkg in ["requests", "click", "rich", "pydantic", "sqlalchemy", "httpx"]:
        poetry += [
            text("[[package]]", f'name = "{pkg}"', 'version = "2.1.0"', "files = ["),
            c.decoy(
                "lockfile-integrity",
                [f'    {{file = "{pkg}-2.1.0-py3-none-any.whl", hash = "sha256:{_sha(64)(r)}"}},'],
            ),
            text("]", ""),
        ]
    files["poetry.lock"] = poetry
    cargo: list[Item] = [text("version = 3", "")]
    for pkg in ["serde", "tokio", "anyhow", "regex", "reqwest", "clap"]:
        cargo += [
            text(
                "[[package]]",
                f'name = "{pkg}"',
                'version = "1.0.3"',
                'source = "registry+https://github.com/rust-lang/crates.io-index"',
            ),
            c.decoy("lockfile-integrity", [f'checksum = "{_sha(64)(r)}"']),
            text(""),
        ]
    files["rust/Cargo.lock"] = cargo
    files["go.sum"] = [
        c.decoy(
            "lockfile-integrity",
            [f"github.com/{m} v1.{r.randint(0, 9)}.{r.randint(0, 9)}{suffix} h1:{b64(r.randbytes(32))}"],
        )
        for m in ["google/uuid", "stretchr/testify", "spf13/cobra", "jackc/pgx/v5"]
        for suffix in ("", "/go.mod")
    ]
    files["requirements.txt"] = [
        item
        for pkg in ["requests==2.32.3", "click==8.1.7", "urllib3==2.2.2", "idna==3.7"]
        for item in (text(f"{pkg} \\"), c.decoy("lockfile-integrity", [f"    --hash=sha256:{_sha(64)(r)}"]))
    ]
    # minified JS and HTML with SRI hashes and data URLs
    minified = [c.decoy("minified-js", [_minified_line(r)]) for _ in range(8)]
    files["web/public/vendor.min.js"] = [text("/*! vendor bundle | MIT */"), *minified]
    files["web/public/app.3f9a2c1b.min.js"] = [c.decoy("minified-js", [_minified_line(r)]) for _ in range(4)]
    html: list[Item] = [
        text(
            "<!doctype html>",
            '<html lang="en">',
            "<head>",
            '  <meta charset="utf-8">',
            "  <title>Acme</title>",
        )
    ]
    for lib in [
        "react@18.3.1/umd/react.production.min.js",
        "bootstrap@5.3.3/dist/js/bootstrap.bundle.min.js",
        "htmx.org@1.9.12",
    ]:
        html.append(
            c.decoy(
                "sri-hash",
                [
                    f'  <script src="https://cdn.jsdelivr.net/npm/{lib}" integrity="sha384-{b64(r.randbytes(48))}" crossorigin="anonymous"></script>'
                ],
            )
        )
    html += [text("</head>", "<body>")]
    html.append(c.decoy("data-url-image", [f'  <img alt="logo" src="{_png_data_url(r)}">']))
    html += [text('  <div id="root"></div>', "</body>", "</html>")]
    files["web/public/index.html"] = html
    files["docs/site/index.html"] = [
        text("<!doctype html>", "<html>", "<head>"),
        c.decoy(
            "sri-hash",
            [
                f'  <link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/water.css@2/out/water.css" integrity="sha384-{b64(r.randbytes(48))}" crossorigin="anonymous">'
            ],
        ),
        text("</head>", "<body>", "  <h1>Acme docs</h1>"),
        c.decoy(
            "i18n-password-text",
            [
                '  <label for="pw">Password</label> <input id="pw" type="password" placeholder="Enter your password">'
            ],
        ),
        c.decoy("data-url-image", [f'  <img alt="diagram" src="{_png_data_url(r)}">']),
        text("</body>", "</html>"),
    ]
    return files


def _minified_line(rng: random.Random) -> str:
    parts = []
    while sum(map(len, parts)) < 900:
        a, b, c = (fill("{letters:1}{=|e|t|n}", rng) for _ in range(3))
        parts.append(
            rng.choice(
                [
                    f"function {a}({b},{c}){{return {b}&&{b}.{rng.choice(['length', 'map', 'then', 'push'])}?{c}({b}):void 0}}",
                    f"var {a}={b}||{{}},{c}=[{rng.randint(0, 99)},{rng.randint(100, 999)}];",
                    f'{a}.prototype.{rng.choice(["render", "update", "init"])}=function(){{this.{b}="{rng.choice(NOUNS)}-{rng.choice(VERBS)}"}};',
                    f'if(!{a})throw new Error("{rng.choice(NOUNS)} {rng.choice(["missing", "invalid"])}");',
                    f"{a}=Object.assign({{}},{b},{{{c}:!0}});",
                ]
            )
        )
    return "!function(){" + "".join(parts) + "}();"


# --- assembly --------------------------------------------------------------------------------------------------


def _plant_item(c: Corpus, kind: Kind, style: str, rng: random.Random) -> Item:
    value = c.value(kind)
    name = rng.choice(kind.names)
    if kind.block:
        if style in ("json", "env"):
            escaped = one_line_pem(value)
            line = assign(style, name, escaped, rng)[0] if style == "json" else f'{upper(name)}="{escaped}"'
            return Item([line], ("plant", kind.name, escaped))
        made = block_lines(style, name, value, rng)
        assert made is not None, (kind.name, style)
        lines, first, last = made
        return Item(lines, ("plant", kind.name, value), first, last)
    if kind.auth and rng.random() < 0.4:
        header = header_line(style, kind.auth, value, rng)
        if header is not None:
            return Item(header, ("plant", kind.name, value))
    return Item(assign(style, name, value, rng), ("plant", kind.name, value))


def _pick_file(specs: list[FileSpec], ok: Callable[[FileSpec], bool], rng: random.Random) -> FileSpec:
    candidates = [s for s in specs if s.takes and ok(s)]
    least = min(len(s.items) for s in candidates)
    return rng.choice([s for s in candidates if len(s.items) <= least + 1])


def _takes_plant(spec: FileSpec, styles: frozenset[str], kind: Kind) -> bool:
    if spec.style not in styles or spec.flavor == "i18n" or spec.path.endswith(".env.example"):
        return False
    return not (kind.block and spec.style == "yaml" and spec.flavor not in ("plain", "k8s-config"))


def generate(root: Path, seed: int = SEED) -> Manifest:
    """Write the corpus under ``root`` (created if need be) and return what was planted where."""
    c = Corpus(seed)
    rng = c.rng
    specs = _layout()
    dedicated = _dedicated(c)
    for path in list(dedicated):
        if any(s.path == path for s in specs):
            raise ValueError(f"{path}: both a dedicated and a pooled file")
    # the pool of planted secrets: each kind's remaining count, placed in files that take its style
    for kind in KINDS:
        left = kind.count - c.counter.get(kind.name, 0)
        for _ in range(max(0, left)):
            styles = kind.styles if kind.styles is not None else ANY
            if not styles:
                break
            spec = _pick_file(specs, lambda s, st=styles, k=kind: _takes_plant(s, st, k), rng)
            spec.items.append(_plant_item(c, kind, spec.style, rng))
    # the pool of decoys
    for decoy in DECOYS:
        placed = 0
        tries = 0
        while placed < decoy.count and tries < decoy.count * 20:
            tries += 1
            prefer_i18n = decoy.name == "i18n-password-text"
            spec = _pick_file(
                specs,
                lambda s, d=decoy, p=prefer_i18n: s.style in d.styles and (s.flavor == "i18n") == p,
                rng,
            )
            lines = decoy.render(spec.style, rng)
            if lines is None:
                continue
            spec.items.append(Item(lines, ("decoy", decoy.name, None), 0, len(lines) - 1))
            placed += 1
    manifest = Manifest(root=root)
    rendered: dict[str, list[Item]] = dict(dedicated)
    for spec in specs:
        frng = random.Random(f"{seed}/file/{spec.path}")
        if spec.style == "yaml":
            rendered[spec.path] = _render_yaml(spec, frng)
        elif spec.style == "json":
            rendered[spec.path] = _render_json(spec, frng)
        elif spec.style == "ipynb":
            rendered[spec.path] = _render_notebook(spec, frng)
        elif spec.style == "md":
            rendered[spec.path] = _render_md(spec, frng)
        else:
            rendered[spec.path] = _render_code(spec, frng)
    for path in sorted(rendered):
        lines: list[str] = []
        for item in rendered[path]:
            if item.record is not None:
                what, kind_name, value = item.record
                start, end = len(lines) + item.first + 1, len(lines) + item.last + 1
                if what == "plant":
                    group = KIND_BY_NAME[kind_name].group
                    manifest.planted.append(Planted(path, start, end, kind_name, group, str(value)))
                else:
                    manifest.decoys.append(Decoy(path, start, end, kind_name))
            lines.extend(item.lines)
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        manifest.files.append(path)
    return manifest
