"""Generic credential assignments, gated by key names, entropy and context. These run last: a secret a
specific rule claims is not reported again here.

Also the building blocks the provider modules share for "provider word in the key name" rules:
:func:`key_assign` (a key that names the provider, then an assignment) and :data:`UUID`.
"""

from __future__ import annotations

from cdev_tui.security.rules.base import EDGE_RIGHT, Rule, rule

SECRET_WORDS = (
    # passw(or)d, pwd, passphrase, private_key, secret, signing_key, token, credential(s), (en)crypt(ion)_key,
    # api_key, access_key, auth_key, master_key (words joined by _, - or . as in Java properties, or not at all);
    # factored by first letter, which keeps the regexes fast
    r"p(?:assw(?:or)?d|wd|assphrase|rivate[_.-]?key)|s(?:ecret|igning[_.-]?key)|token"
    r"|c(?:redentials?|rypt(?:ion)?[_.-]?key)|a(?:pi|ccess|uth)[_.-]?key|master[_.-]?key"
)
# Every match of SECRET_WORDS holds one of these (lower-cased).
GENERIC_KEYWORDS = (
    "passw",
    "passphrase",
    "pwd",
    "secret",
    "token",
    "credential",
    "_key",
    "-key",
    "apikey",
    "accesskey",
    "authkey",
    "privatekey",
    "cryptkey",
    "cryptionkey",
    "signingkey",
    "masterkey",
    "api.key",
    "access.key",
    "auth.key",
    "private.key",
    "crypt.key",
    "cryption.key",
    "signing.key",
    "master.key",
)

UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
TAIL = r"[A-Za-z0-9_.-]{0,30}?"
"""The rest of a key name between two of its words, e.g. ``_API_`` in ``DATADOG_API_KEY``."""
ASSIGN = r"\\?[\"'\]]{0,2}[ \t]{0,4}(?:=>|:=|[:=,])[ \t]{0,4}\\?[\"'`]?"
"""Between a key and its value: ``=``, ``: ``, ``=>``, ``:=``, ``", "`` (a call's next argument), quotes (maybe
escaped, as in a notebook cell's source)."""


def key_assign(key: str) -> str:
    """A key name matching ``key`` (case-insensitive, as named group ``key``, group 1), then an assignment.

    The value that follows is the caller's group 2. ``key`` must start with the provider's word, which is
    then also the rule's keyword, so the gate and the match agree.
    """
    return r"(?i:(?P<key>" + key + r")[A-Za-z0-9_.-]{0,20}?)" + ASSIGN


def keyed(key: str, value: str) -> str:
    """``key_assign(key)`` followed by ``value`` as group 2, not cut out of a longer token."""
    return key_assign(key) + r"(" + value + r")" + EDGE_RIGHT


_VALUE_END = r"(?=[\"'`\s,;]|$)"
_UNQUOTED = r"[^\s\"'`#;,(){}\[\]<>]"

RULES: tuple[Rule, ...] = (
    rule(
        "generic-secret-assignment",
        "Hard-coded password, secret, token or API key",
        "medium",
        GENERIC_KEYWORDS,
        r"(?i)(?P<key>(?:" + SECRET_WORDS + r")[A-Za-z0-9_.-]{0,40})\\?[\"']?\s*"
        # a type: `password: str = "..."`, Rust's `PASSWORD: &'static str = "..."`, Go's `password string = "..."`
        r"(?::\s*&?(?:'[a-z_]+\s+)?(?:mut\s+)?[A-Za-z_][\w.\[\], |<>]{0,40}?\s*|\s+string\s*)?"
        # `=`, `:`, `=>`, `:=`, Ruby's `||=` or JavaScript's `??=`, then the value in quotes, which may be escaped
        # inside a string (a notebook cell's source, say)
        r"(?:=>|:=|\|\|=|\?\?=|[:=])\s*(?:[bruf]{1,2})?\\?([\"'])(?P<value>[^\"'\s\\]{8,256})\\?\2",
        secret_group=3,
        min_entropy=3.0,
        mixed=True,
        generic=True,
        help="A quoted literal assigned to a key named like a password, secret, token or API key. Move it to a "
        "secret store or an environment variable and rotate it, since it is in the history.",
        requires=('"', "'"),  # the regex needs one
        examples=(
            'password = "{alnum:18}"',
            '{{"api_key": "{alnum:32}", "region": "eu"}}',
            "client_secret: '{alnum:24}'",
            "'db_password' => '{alnum:20}',",
            'const PASSWORD: &str = "{alnum:23}";',
            'static DB_PASSWORD: &\'static str = "{alnum:20}";',
            'const apiToken string = "{alnum:32}"',
            '    "PASSWORD = \\"{alnum:12}*{alnum:7}\\"\\n",',
            'encryption_key = "{hex:64}"',
            "ENCRYPTION_KEY='{hex:64}'",
            'signingKey: "{b64:44}"',
            'db_password ||= "{alnum:14}{digits:4}%"',
            'config.apiKey ??= "{alnum:32}"',
        ),
        counter_examples=(
            'password = "changeme"',
            'api_key = "{=your-api-key-here|<api-key>|xxxxxxxxxxxxxxxx}"',
            'api_key = "${{API_KEY}}"',
            'password_hash = "{hex:64}"',
            'access_token = "{hex:8}-{hex:4}-{hex:4}-{hex:4}-{hex:12}"',
            'token_file = "/run/{lower:8}/token.txt"',
            '    "PASSWORD = os.environ[\\"DB_PASSWORD\\"]\\n",',
            'encryption_key_id = "{hex:32}"',
            'GITHUB_TOKEN = "gh{=p|o|s}_{alnum:10}"',
            'AUTH_TOKEN = "AKIA{uppernum:7}"',
            'api_key: "sk-ant-{alnum:6}"',
        ),
    ),
    rule(
        "env-secret-assignment",
        "Secret in an environment-style assignment",
        "medium",
        GENERIC_KEYWORDS,
        # a shell `export`, a Dockerfile `ARG` or `ENV`, a Windows `set`
        r"(?i)^\s*(?:(?:export|readonly|declare\s+-x|ARG|ENV|set)\s+)?"
        r"(?P<key>[A-Za-z0-9_]{0,40}(?:" + SECRET_WORDS + r")[A-Za-z0-9_]{0,40})="
        r"(?P<value>[A-Za-z0-9_.~+/=:@%!^*?&()#-]{8,256})\s*(?:\s#[^\r\n]*)?$",  # maybe a trailing comment
        secret_group=2,
        min_entropy=3.0,
        mixed=True,
        generic=True,
        help="A secret assigned in a .env file or a shell script. Keep .env files out of git, load the value "
        "from a secret store, and rotate it.",
        examples=(
            "API_TOKEN={alnum:32}",
            "export DB_PASSWORD={alnum:20}",
            "ARG SERVICE_API_KEY={alnum:32}",
            "ENV SMTP_PASSWORD={alnum:20}",
            "set ADMIN_PASSWORD={alnum:16}",
            "SECRET_KEY={lowernum:10}(-{lowernum:10}#+{lowernum:10})!{lowernum:16}",
            "API_TOKEN={alnum:32}  # rotated every quarter",
        ),
        counter_examples=(
            "API_TOKEN=${{API_TOKEN}}",
            "ARG NPM_TOKEN",
            "ENV DB_PASSWORD_FILE=/run/secrets/{lower:8}",
            "export DB_PASSWORD=$(vault read -field=pw db/creds)",
            "SECRET_KEY_FILE=/etc/{lower:6}/secret.key",
        ),
    ),
    rule(
        "config-secret-assignment",
        "Hard-coded secret in a properties, INI, TOML or YAML setting",
        "medium",
        GENERIC_KEYWORDS,
        r"(?i)^[ \t]*(?:-[ \t]+)?(?P<key>[A-Za-z0-9_.-]{0,40}(?:" + SECRET_WORDS + r")[A-Za-z0-9_.-]{0,40})"
        r"[ \t]*[=:][ \t]*(?P<value>" + _UNQUOTED + r"{8,256})[ \t]*(?:[#;][^\r\n]{0,200})?$",
        secret_group=2,
        min_entropy=3.0,
        mixed=True,
        generic=True,
        help="An unquoted secret in a configuration file (Java properties, INI, TOML, YAML). Reference a secret "
        "store or an environment variable instead, and rotate the value.",
        examples=(
            "spring.datasource.password = {alnum:18}",
            "  client_secret: {alnum:32}",
            "shipping.gateway.api.key={alnum:30}{digits:4}",
            "  keystore_password: {lower:6}!{alnum:8}_{alnum:6}",
        ),
        counter_examples=(
            "  token: ${{{{ secrets.GITHUB_TOKEN }}}}",
            "password: process.env.DB_PASSWORD_2",
            "secretName: tls-{lower:6}-2",
            "api_key = settings.API_KEY2",
        ),
    ),
    rule(
        "xml-secret-element",
        "Hard-coded secret in an XML element",
        "medium",
        GENERIC_KEYWORDS,
        r"(?i)<(?P<key>[A-Za-z0-9_.:-]{0,40}(?:" + SECRET_WORDS + r")[A-Za-z0-9_.:-]{0,40})>"
        r"([^<>\s\"']{8,256})</",
        secret_group=2,
        min_entropy=3.0,
        mixed=True,
        generic=True,
        help="A secret in an XML element such as Maven's settings.xml <password>. Use Maven password "
        "encryption or an environment reference, and rotate the value.",
        requires=("</",),  # the regex needs one
        examples=("<password>{alnum:16}</password>", "    <ApiKey>{alnum:32}</ApiKey>"),
        counter_examples=(
            "<password>${{env.DEPLOY_PASSWORD}}</password>",
            "<password>{{{b64:24}=}}</password>",
            "<tokenEndpoint>https://{lower:6}.io/oauth2/token</tokenEndpoint>",
        ),
    ),
    rule(
        "xml-secret-attribute",
        "Hard-coded secret in an XML key/value attribute pair",
        "medium",
        GENERIC_KEYWORDS,
        r"(?i)\b(?:key|name)\s*=\s*\"(?P<key>[A-Za-z0-9_.:-]{0,40}(?:"
        + SECRET_WORDS
        + r")[A-Za-z0-9_.:-]{0,40})"
        r"\"\s+value\s*=\s*\"([^\"\s<>]{8,256})\"",
        secret_group=2,
        min_entropy=3.0,
        mixed=True,
        generic=True,
        help="A secret in an <add key=... value=...> or <property name=... value=...> element (web.config, "
        "NuGet.config, Spring XML). Use a protected configuration section or a secret store, and rotate it.",
        requires=('"',),  # the regex needs one
        examples=(
            '<add key="SmtpPassword" value="{alnum:16}" />',
            '<property name="db.password" value="{alnum:16}"/>',
        ),
        counter_examples=(
            '<add key="TokenLifetime" value="{digits:4}" />',
            '<add key="ClearTextPassword" value="%NUGET_PASSWORD%" />',
        ),
    ),
    rule(
        "basic-auth-header",
        "HTTP Basic credentials in an Authorization header",
        "medium",
        ("authorization",),
        r"(?P<key>(?i:(?:proxy-)?authorization))[\"']?\s{0,4}[:=,]\s{0,4}[\"']?(?i:basic)\s{1,4}"
        r"([A-Za-z0-9+/]{8,512}={0,2})(?![A-Za-z0-9+/=_-])",
        secret_group=2,
        min_entropy=3.0,
        mixed=True,
        generic=True,
        help="A base64 user:password pair in an Authorization: Basic header. Anyone can decode it; change that "
        "password and send the header from a secret at run time.",
        examples=(
            "curl -H 'Authorization: Basic {b64:32}' https://ci.{lower:6}.internal/api",
            'headers = {{"Authorization": "Basic {b64:28}"}}',
        ),
        counter_examples=(
            "Authorization: Basic dXNlcm5hbWU6cGFzc3dvcmQ=",
            'headers = {{"Authorization": "Basic " + creds}}',
        ),
    ),
    rule(
        "bearer-token-header",
        "Bearer token in an Authorization header",
        "medium",
        ("bearer",),
        r"(?P<key>(?i:bearer))\s{1,4}([A-Za-z0-9._~+/-]{20,1024}={0,2})(?![A-Za-z0-9._~+/=-])",
        secret_group=2,
        min_entropy=3.5,
        mixed=True,
        generic=True,
        help="An opaque access token sent as Authorization: Bearer. Revoke it with its issuer and read the token "
        "from a secret at run time.",
        examples=(
            "Authorization: Bearer {alnum:40}",
            "fetch(url, {{ headers: {{ Authorization: 'Bearer {b64url:48}' }} }})",
        ),
        counter_examples=(
            "Authorization: Bearer <token>",
            'headers["Authorization"] = f"Bearer {{token}}"',
            "Authorization: Bearer ${{ACCESS_TOKEN}}",
        ),
    ),
    rule(
        "secret-header-string",
        "Secret in an HTTP header string",
        "medium",
        # header names are hyphenated (X-Api-Key, X-Auth-Token, Private-Token, X-Client-Secret) or run together
        ("-key", "-token", "-secret", "-pass", "apikey", "authkey", "accesskey"),
        # a whole string literal that is one header line: curl -H "X-Api-Key: ...", ['X-Auth-Token: ...']
        r"(?i)[\"'](?=[A-Za-z0-9-]{3,60}[ \t]{0,2}:)(?P<key>[A-Za-z0-9-]{0,40}?(?:"
        + SECRET_WORDS
        + r")[A-Za-z0-9-]{0,20})[ \t]{0,2}:[ \t]{0,4}"
        r"([^\s\"'`\\]{16,512})[\"']",
        secret_group=2,
        min_entropy=3.0,
        mixed=True,
        generic=True,
        help="An API key or token sent in an HTTP header (X-Api-Key, X-Auth-Token, Private-Token) written into "
        "a command or code as a literal header line. Revoke it with its issuer and read it from a secret at "
        "run time.",
        examples=(
            'curl -sS -H "X-Api-Key: {alnum:36}" https://api.{lower:6}.io/v2/events',
            "$headers = ['Content-Type: application/json', 'X-Auth-Token: {alnum:40}'];",
            "wget --header='Private-Token: {alnum:8}{digits:4}{alnum:12}' https://git.{lower:6}.internal/api/v4/projects",
        ),
        counter_examples=(
            'curl -H "X-Api-Key: $API_KEY" https://api.{lower:6}.io/v2/events',
            'curl -H "X-Api-Key: ${{API_KEY}}" https://api.{lower:6}.io/v2/events',
            'raise ValueError("token: {lower:8} has expired")',
            'API_KEY_HEADER = "X-Api-Key: X-{lower:8}-Api-Key"',
        ),
    ),
    rule(
        "curl-user-password",
        "Password passed to curl with -u/--user",
        "medium",
        ("curl",),
        r"(?<![\w-])curl\s[^\r\n]{0,300}?\s(?:-u|--user)(?:\s{1,4}|=)[\"']?[^\s:\"'$]{1,64}:"
        r"([^\s\"']{6,128})(?=[\"'\s]|$)",
        min_entropy=3.0,
        mixed=True,
        help="A user:password pair on a curl command line, kept by shell history and CI logs. Change the "
        "password and pass it with --netrc-file or a header read from a secret.",
        examples=(
            "curl -fsS -u deploy:{alnum:16} https://ci.{lower:5}.internal/api/builds",
            'curl -X POST --user "admin:{alnum:20}" https://{lower:6}.internal/reload',
        ),
        counter_examples=(
            'curl -u "$CI_USER:$CI_PASSWORD" https://ci.{lower:5}.internal/api',
            "curl -u admin https://{lower:6}.internal/reload",
        ),
    ),
    rule(
        "cli-password-flag",
        "Password or token passed as a command-line flag",
        "medium",
        ("-pass", "--token", "--api-token", "--secret", "storepass", "keypass"),
        r"(?<![\w-])(?:--(?:[a-z]{1,20}-)?pass(?:word|wd|phrase)?|--(?:api-)?(?:token|secret)"
        r"|-(?:src|dest)?(?:store|key)pass|-pass(?:in|out)?)(?:=|\s{1,4})[\"']?(?:pass:)?"
        r"([^\s\"'$]{6,128})(?=[\"'\s]|$)",
        min_entropy=3.0,
        mixed=True,
        help="A password or token given as a flag (--password=, -storepass, -passout pass:), visible in the "
        "process list, shell history and CI logs. Read it from a file or stdin instead and rotate it.",
        examples=(
            "mysqldump --user=backup --password={alnum:16} shop > shop.sql",
            "keytool -importkeystore -srcstorepass {alnum:14} -destkeystore app.p12",
            "openssl pkcs12 -export -in app.crt -passout pass:{alnum:16} -out app.p12",
        ),
        counter_examples=(
            'echo "$TOKEN" | docker login --password-stdin ghcr.io',
            "mysql --password=$DB_PASSWORD shop",
            "deploy --token ${{{{ secrets.DEPLOY_TOKEN }}}}",
        ),
    ),
    rule(
        "cli-short-password-flag",
        "Password passed to mysql -p, sshpass -p, docker login -p or ldapsearch -w",
        "medium",
        ("mysql", "mariadb", "sshpass", "login", "ldap"),
        r"(?:(?<![\w-])(?:mysql|mysqldump|mysqladmin|mysqlimport|mariadb|mariadb-dump)\s[^\r\n]{0,200}?\s-p"
        r"|(?<![\w-])sshpass\s{1,4}-p\s{0,4}"
        r"|(?<![\w-])(?:docker|podman|buildah|skopeo|helm|oras|nerdctl)\s(?:[^\r\n]{0,40}?\s)?login\s"
        r"[^\r\n]{0,200}?\s-p\s{1,4}"
        r"|(?<![\w-])ldap(?:search|add|modify|delete|compare|passwd|whoami|modrdn)\s[^\r\n]{0,200}?\s-w\s{1,4})"
        r"[\"']?([^\s\"'$]{6,128})(?=[\"'\s]|$)",
        min_entropy=3.0,
        help="A password given to a client's short password flag, visible in the process list and shell "
        "history. Use an option file, --password-stdin or a prompt instead, and change the password.",
        examples=(
            "mysql -h db.{lower:5}.internal -u root -p{alnum:14} shop",
            "sshpass -p '{alnum:14}' ssh deploy@{lower:6}.internal",
            "docker login -u ci -p {alnum:20} registry.{lower:5}.io",
        ),
        counter_examples=(
            "mysql -u root -p shop",
            "mysql -u root -P3306 -h db",
            "sshpass -p $SSHPASS ssh host",
        ),
    ),
    rule(
        "secret-setter-call",
        "Hard-coded secret passed to a password/token setter",
        "medium",
        GENERIC_KEYWORDS,
        r"(?i)(?:(?<![A-Za-z0-9])(?:set|with)_?[A-Za-z0-9_]{0,20}?|\.)(?P<key>" + SECRET_WORDS + r")"
        r"\(\s{0,4}(?:&|r#?)?[\"']([^\"'\s\\]{8,256})[\"']#?\s{0,4}\)",
        secret_group=2,
        min_entropy=3.0,
        mixed=True,
        generic=True,
        help="A literal passed to setPassword(...), .password(...), WithApiKey(...) and the like in Java, C#, "
        "Go, Rust or JavaScript. Read it from configuration backed by a secret store and rotate it.",
        requires=('"', "'"),  # the regex needs one
        examples=(
            'dataSource.setPassword("{alnum:16}");',
            'let client = Client::builder().password("{alnum:16}").build();',
            'sg.SetApiKey("{alnum:32}")',
        ),
        counter_examples=(
            'dataSource.setPassword(System.getenv("DB_PASSWORD"));',
            'user.set_password("changeme")',
            'vault.getToken("{lower:6}-role")',
        ),
    ),
    rule(
        "keyed-secret-call",
        "Hard-coded secret stored under a secret-named key",
        "medium",
        GENERIC_KEYWORDS,
        # put(...), setProperty(...), setRequestProperty(...), addHeader(...), define(...), ENV[...] ||= ...;
        # quotes may be escaped inside a string (a notebook cell's source)
        r"(?i)(?:(?<![A-Za-z0-9_])(?:put|set|add|define|header|option|store|insert)[A-Za-z_]{0,24}\(\s{0,4}"
        r"|\[\s{0,4})\\?[\"'](?P<key>[A-Za-z0-9_.-]{0,40}?(?:" + SECRET_WORDS + r")"
        r"[A-Za-z0-9_.-]{0,40})\\?[\"']\s{0,4}(?:,|\]\s{0,4}(?:\|\||\?\?)?=)\s{0,4}\\?[\"']([^\"'\s\\]{8,256})\\?[\"']",
        secret_group=2,
        min_entropy=3.0,
        mixed=True,
        generic=True,
        help="A literal stored under a password/token key: props.put(...), define(...) in wp-config.php, "
        "os.Setenv(...), config[...] = .... Load it from the environment or a secret store and rotate it.",
        requires=('"', "'"),  # the regex needs one
        examples=(
            'props.put("mail.smtp.password", "{alnum:16}");',
            "define('DB_PASSWORD', '{alnum:20}');",
            'os.Setenv("API_TOKEN", "{alnum:32}")',
            'config["api_key"] = "{alnum:32}"',
            'conn.setRequestProperty("X-Api-Key", "{alnum:35}");',
            'props.setProperty("encryption.key", "{hex:64}");',
            '    "config[\\"redis_password\\"] = \\"{alnum:23}\\"\\n",',
            'ENV["CLIENT_SECRET"] ||= "{alnum:32}"',
        ),
        counter_examples=(
            'props.put("mail.smtp.password", System.getenv("SMTP_PASS"));',
            "define('AUTH_KEY', 'put your unique phrase here');",
            'config["token_url"] = "https://{lower:6}.io/oauth/token"',
            'ENV["DB_PASSWORD"] ||= ENV.fetch("{upper:6}_PASSWORD")',
            'conn.setRequestProperty("X-Api-Key", apiKey);',
        ),
    ),
    rule(
        "credential-pair-call",
        "Hard-coded user name and password passed to an authentication call",
        "medium",
        ("credential", "authentication", "basicauth", "digestauth", "basic_auth", "auth=(", "auth = ("),
        r"(?P<key>(?i:networkcredential|usernamepasswordcredentials|passwordauthentication|httpbasicauth"
        r"|httpdigestauth|setbasicauth|basicauth|basic_auth|auth\s?=\s?))\(\s{0,4}[\"'][^\"'\s]{1,64}[\"']"
        r"\s{0,4},\s{0,4}[\"']([^\"'\s\\]{6,128})[\"']",
        secret_group=2,
        min_entropy=3.0,
        generic=True,
        help="A user name and password literal passed to NetworkCredential, HTTPBasicAuth, SetBasicAuth, "
        "requests' auth=(...) and similar. Read them from a secret store and change the password.",
        examples=(
            'var creds = new NetworkCredential("svc-{lower:5}", "{alnum:16}");',
            'requests.get(url, auth=("api", "{alnum:24}"))',
            'req.SetBasicAuth("admin", "{alnum:16}")',
        ),
        counter_examples=(
            'requests.get(url, auth=("api", os.environ["API_PASS"]))',
            'HTTPBasicAuth("user", "password")',
        ),
    ),
    rule(
        "url-query-secret",
        "Secret in a URL query parameter",
        "medium",
        GENERIC_KEYWORDS,
        r"(?i)[?&#](?P<key>[A-Za-z0-9_.-]{0,30}?(?:" + SECRET_WORDS + r")[A-Za-z0-9_.-]{0,30}?)="
        r"([A-Za-z0-9%._~+/-]{12,512})(?=[&#\s\"'<>)]|$)",
        secret_group=2,
        min_entropy=3.5,
        mixed=True,
        generic=True,
        help="A key or token in a URL's query string, which ends up in server, proxy and browser logs. Revoke it "
        "and send it in a header read from a secret instead.",
        examples=(
            "https://api.{lower:6}.io/v1/items?api_key={alnum:32}&page=2",
            'ws = connect("wss://stream.{lower:6}.com/ws?access_token={b64url:40}")',
        ),
        counter_examples=(
            "https://{lower:6}.io/cb?state={alnum:20}&code={alnum:20}",
            "https://{lower:6}.io/v1/list?page_token={alnum:32}",
            "https://{lower:6}.io/v1/items?api_key=${{API_KEY}}",
        ),
    ),
)
