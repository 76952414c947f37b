"""Keys and credential files: private keys, JWTs, Kubernetes, .npmrc/.pypirc/.netrc, Docker auths, htpasswd.

Rules here run first. The credential-file rules (.npmrc, .netrc, config passwords) step aside, through
:data:`DEFER`, for values that start with a provider prefix, so a GitHub or npm token written in one of
those files is still reported by its own provider rule.
"""

from __future__ import annotations

from cdev_tui.security.rules.base import EDGE_LEFT, EDGE_RIGHT, Rule, rule

DEFER = (
    r"(?!(?:npm_|pypi-|gh[pousr]_|github_pat_|gl[a-z]{2,7}-|AKCp|cmVmdGtu|HRKU-|dop_v1_|xox[abprs]-"
    r"|sk-|[sr]k_live_))"
)
"""A lookahead that fails on values a provider-specific rule recognises by their prefix."""

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
"""A lower-case UUID, the format of several providers' API keys."""

UUID_EXAMPLE = "{hex:8}-{hex:4}-4{hex:3}-{=8|9|a|b}{hex:3}-{hex:12}"
"""An example template for :data:`UUID`."""

ASSIGN = (
    r"(?::[ \t]*&?(?:'[a-z_]+[ \t]+)?[A-Za-z_][\w.<>\[\]]{0,30}[ \t]*(?==)|[ \t]+string[ \t]*(?==))?"  # a type
    r"\\?[\"']?\]?[ \t]*(?:=>|:=|\|\|=|\?\?=|[:=,]|(?i:value)[ \t]*=)[ \t]*\\?[\"'`]?"
)
"""Between a key and its value in :func:`assigned`: maybe a type (``KEY: &str =``, ``KEY string =``), quotes
(maybe escaped), a closing bracket, then ``=``, ``:``, ``=>``, ``:=``, ``||=``, ``??=``, ``,`` or an XML
attribute pair's ``value=``."""


def assigned(key: str, value: str, end: str = EDGE_RIGHT) -> str:
    """A regex for ``value`` (group 1) assigned to a key matching ``key`` (case-insensitive).

    Covers code, YAML, JSON, .env files, shell exports and headers: ``key = "v"``, ``key: v``,
    ``"key": "v"``, ``KEY=v``, ``key := "v"``, ``key => "v"``, ``ENV["KEY"] ||= "v"``, typed constants
    (``const KEY: &str = "v"``), a call's next argument (``define('KEY', 'v')``, ``os.Setenv("KEY", "v")``),
    ``<add key="Key" value="v"/>`` and quotes escaped inside a string (a notebook cell's ``KEY = \\"v\\"``).
    ``end`` guards the value's right edge. Rules built on it are context rules: the provider's name must be in
    the key on the same line.
    """
    return r"(?i:" + key + r")" + ASSIGN + r"(" + value + ")" + end


_B64_END = r"(?![A-Za-z0-9+/=])"

RULES: tuple[Rule, ...] = (
    rule(
        "private-key",
        "Private key block",
        "high",
        ("private key",),
        r"-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:\s|\\[nr])*"
        r"([A-Za-z0-9+/=](?:[A-Za-z0-9+/=\s]|\\[nr]){0,8192})?",
        block=True,
        examples=(
            "-----BEGIN RSA PRIVATE KEY-----\n{b64:64}\n{b64:64}\n{b64:64}\n{b64:20}==\n"
            "-----END RSA PRIVATE KEY-----",
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA{b64:46}\n{b64:70}\n{b64:70}\n"
            "-----END OPENSSH PRIVATE KEY-----",
            '  "private_key": "-----BEGIN PRIVATE KEY-----\\n{b64:64}\\n{b64:64}\\n-----END PRIVATE KEY-----\\n",',
            "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,{HEX:32}\n\n"
            "{b64:64}\n{b64:64}\n-----END EC PRIVATE KEY-----",
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\n{b64:64}\n{b64:64}\n{b64:32}\n-----END ENCRYPTED PRIVATE KEY-----",
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\nlQOYBF{b64:58}\n{b64:64}\n{b64:64}\n"
            "={b64:4}\n-----END PGP PRIVATE KEY BLOCK-----",
        ),
        counter_examples=(
            'PEM_HEADER = "-----BEGIN PRIVATE KEY-----"',
            "Paste the key, starting with -----BEGIN OPENSSH PRIVATE KEY-----, into the form.",
            "-----BEGIN PUBLIC KEY-----\n{b64:64}\n{b64:64}\n-----END PUBLIC KEY-----",
            "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
        ),
        help="A private key (PEM, PKCS#8, OpenSSH, PGP) lets anyone holding it sign, decrypt or log in as its "
        "owner. Remove it from the repository and its history, revoke or replace the key pair (deauthorise "
        "the public key on every server, certificate or account that trusts it) and issue a new one.",
    ),
    rule(
        "ssh2-private-key",
        "SSH2 (ssh.com/Tectia) private key block",
        "high",
        ("begin ssh2",),
        r"---- BEGIN SSH2 (?:ENCRYPTED )?PRIVATE KEY ----()",
        block=True,
        examples=(
            '---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: "rsa-key-20240101"\n{b64:70}\n{b64:70}\n'
            "{b64:40}\n---- END SSH2 ENCRYPTED PRIVATE KEY ----",
        ),
        counter_examples=(
            "---- BEGIN SSH2 PUBLIC KEY ----\n{b64:70}\n{b64:70}\n---- END SSH2 PUBLIC KEY ----",
            "Keys in the ---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ---- format are converted with ssh-keygen -i.",
        ),
        help="An SSH private key in the ssh.com (SECSH) format: it logs in wherever its public key is "
        "authorised. Remove it, delete the public key from every authorized_keys file and generate a new pair.",
    ),
    rule(
        "putty-private-key",
        "PuTTY private key",
        "high",
        ("private-lines",),
        r"^[ \t]*Private-Lines:[ \t]*[0-9]{1,4}()",
        block=True,
        # an Ed25519 or ECDSA P-256 key's private part is one row of 48 characters (a 32-byte scalar)
        min_body=44,
        examples=(
            "Private-Lines: 14\n{b64:64}\n{b64:64}\n{b64:64}\n{b64:64}\nPrivate-MAC: {hex:64}",
            "Private-Lines: 8\r\n{b64:64}\r\n{b64:64}\r\n{b64:44}\r\nPrivate-MAC: {hex:40}",
            "Private-Lines: 1\nAAAAI{b64:43}\nPrivate-MAC: {hex:64}",
        ),
        counter_examples=(
            "Private-Lines: N, followed by N lines of base64",
            "Private-Lines: 14\nPrivate-MAC: {hex:64}",
            "Private-Lines: 1\nAAAAIQ{b64:10}\nPrivate-MAC: {hex:64}",
        ),
        help="The private half of a PuTTY key (.ppk): it logs in wherever its public key is authorised. Remove "
        "the file, delete the public key from every authorized_keys file and generate a new key pair.",
    ),
    rule(
        "jwt",
        "JSON Web Token",
        "medium",
        ("eyj",),
        EDGE_LEFT
        + r"(eyJ[A-Za-z0-9_-]{10,4096}\.eyJ[A-Za-z0-9_-]{10,8192}\.[A-Za-z0-9_-]{10,1024})"
        + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "Authorization: Bearer {=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9}.eyJzdWIiOiI{alnum:12}IiwiaWF0IjoxNzE2MjM5"
            "MDIyfQ.{b64url:43}",
            'id_token: "eyJhbGciOiJSUzI1NiIsImtpZCI6I{alnum:20}In0.eyJ{b64url:160}.{b64url:342}"',
        ),
        counter_examples=(
            "token = eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjM0NTY3ODkwIn0.",
            "Send `Authorization: Bearer eyJhbGciOi...` with every request.",
        ),
        help="A signed token (session, OAuth access or ID token, service-account token) that authenticates "
        "whoever presents it until it expires. Revoke the session or token at its issuer and rotate the "
        "signing key if the token does not expire soon.",
    ),
    rule(
        "base64-private-key",
        "Base64-encoded private key (Kubernetes Secret, kubeconfig client-key-data)",
        "high",
        ("ls0tls1crudjti",),
        EDGE_LEFT
        + r"(LS0tLS1CRUdJTi(?:BSU0EgUFJJVkFURSBLRVktLS0t|BQUklWQVRFIEtFWS0tLS0t|BFQyBQUklWQVRFIEtFWS0tLS0t"
        r"|BPUEVOU1NIIFBSSVZBVEUgS0VZLS0t|BEU0EgUFJJVkFURSBLRVktLS0t|BFTkNSWVBURUQgUFJJVkFURSBLRVktLS0t"
        r"|BQR1AgUFJJVkFURSBLRVkgQkxPQ0stLS0t)[A-Za-z0-9+/]{40,16384}={0,2})" + _B64_END,
        min_entropy=4.0,
        examples=(
            "    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0t{b64:1600}",
            '  tls.key: "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t{b64:1200}="',
            "  id_ed25519: LS0tLS1CRUdJTiBPUEVOU1NIIFBSSVZBVEUgS0VZLS0t{b64:500}==",
        ),
        counter_examples=(
            "  tls.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t{b64:1200}",
            "    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t{b64:800}",
            "  tls.key: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t",
        ),
        help="A PEM private key, base64-encoded as Kubernetes stores it (Secret data, kubeconfig "
        "client-key-data). Remove it, revoke the certificate issued for the key (or rotate the cluster user's "
        "credentials) and issue a new key pair.",
    ),
    rule(
        "kubernetes-service-account-token",
        "Base64-encoded JSON Web Token (Kubernetes service-account token Secret)",
        "medium",
        ("zxlk",),
        EDGE_LEFT + r"(ZXlK(?:aGJHY2lP|MGVYQWlP|cmFXUWlP)[A-Za-z0-9+/]{80,12288}={0,2})" + _B64_END,
        min_entropy=4.0,
        examples=(
            "  token: ZXlKaGJHY2lP{b64:900}",
            '    "token": "ZXlKcmFXUWlP{b64:600}==",',
        ),
        counter_examples=(
            "  namespace: ZGVmYXVsdA==",
            "  token: ZXlKaGJHY2lP{b64:30}",
        ),
        help="A token, base64-encoded as a Kubernetes Secret of type service-account-token stores it: it acts "
        "as the service account against the API server. Delete the Secret (the token controller issues a new "
        "one) and review the service account's role bindings.",
    ),
    rule(
        "docker-config-base64",
        "Base64-encoded Docker registry credentials (.dockerconfigjson)",
        "high",
        ("eyjhdxrocyi6",),
        EDGE_LEFT + r"(eyJhdXRocyI6[A-Za-z0-9+/]{40,16384}={0,2})" + _B64_END,
        min_entropy=4.0,
        examples=(
            "  .dockerconfigjson: eyJhdXRocyI6{b64:240}",
            '{{"data": {{".dockerconfigjson": "eyJhdXRocyI6{b64:160}="}}}}',
        ),
        counter_examples=(
            "  .dockerconfigjson: eyJhdXRocyI6e319",
            "  .dockerconfigjson: {{{{ .Values.imagePullSecret }}}}",
        ),
        help="A Docker config.json, base64-encoded in a Kubernetes image-pull Secret: its auths hold registry "
        "user names and passwords or tokens. Revoke those registry credentials and create the Secret from a "
        "secret store at deploy time instead.",
    ),
    rule(
        "age-secret-key",
        "Age encryption secret key",
        "high",
        ("age-secret-key-1",),
        EDGE_LEFT + r"(AGE-SECRET-KEY-1[0-9A-Z]{58})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "AGE-SECRET-KEY-1{uppernum:58}",
            'export SOPS_AGE_KEY="AGE-SECRET-KEY-1{uppernum:58}"',
        ),
        counter_examples=(
            "AGE-SECRET-KEY-1{uppernum:40}",
            "# public key: age1{lowernum:58}",
        ),
        help="An age identity: it decrypts every file and SOPS secret encrypted to its recipient. Generate a "
        "new identity with age-keygen, re-encrypt the data to the new recipient and remove the old one.",
    ),
    rule(
        "kubernetes-bootstrap-token",
        "Kubernetes bootstrap token",
        "high",
        ("token",),
        r"(?i:token)[\"']?(?:[ \t]*[:=][ \t]*|[ \t]+)[\"']?(?!abcdef\.0123456789abcdef)"
        r"([a-z0-9]{6}\.[a-z0-9]{16})(?![A-Za-z0-9_.-])",
        min_entropy=3.0,
        mixed=True,
        examples=(
            "kubeadm join 10.0.0.10:6443 --token {lowernum:6}.{lowernum:16} "
            "--discovery-token-ca-cert-hash sha256:{hex:64}",
            "  token: {lowernum:6}.{lowernum:16}",
        ),
        counter_examples=(
            "kubeadm join 10.0.0.10:6443 --token abcdef.0123456789abcdef",
            "  token: {lowernum:6}.{lowernum:10}",
        ),
        help="A kubeadm bootstrap token: it joins nodes to the cluster and can read cluster configuration. "
        "Delete it with kubeadm token delete and create short-lived tokens only when adding nodes.",
    ),
    rule(
        "eks-kubeconfig-token",
        "Amazon EKS kubeconfig token",
        "medium",
        ("k8s-aws-v1.",),
        EDGE_LEFT + r"(k8s-aws-v1\.[A-Za-z0-9_-]{100,4096})" + EDGE_RIGHT,
        min_entropy=4.0,
        examples=(
            "    token: k8s-aws-v1.aHR0cHM6Ly9zdHMu{b64url:420}",
            '{{"kind": "ExecCredential", "status": {{"token": "k8s-aws-v1.{b64url:500}"}}}}',
        ),
        counter_examples=(
            "aws eks get-token prints a token that starts with k8s-aws-v1.",
            "    token: k8s-aws-v1.{b64url:40}",
        ),
        help="A presigned STS request that authenticates to an EKS cluster as the IAM identity that made it, "
        "valid for about 15 minutes. Remove it; if it leaked while valid, review the IAM identity's "
        "activity and rotate that identity's access keys.",
    ),
    rule(
        "docker-config-auth",
        "Docker registry credentials in config.json",
        "high",
        ('"auth"', '"identitytoken"'),
        r"\"(?:auth|identitytoken)\"[ \t]*:[ \t]*\"([A-Za-z0-9+/=._-]{12,4096})\"",
        min_entropy=3.0,
        mixed=True,
        examples=(
            '{{"auths": {{"https://index.docker.io/v1/": {{"auth": "{b64:32}"}}}}}}',
            '      "auth": "{b64:27}=",',
            '      "identitytoken": "{b64url:64}"',
        ),
        counter_examples=(
            '      "auth": "",',
            '      "auth": "{{{{ .Values.registryAuth }}}}"',
            '  "auth": "authentication",',
        ),
        help="A registry login from a Docker config.json: auth is base64 of user:password, identitytoken a "
        "registry refresh token. Revoke the password or access token at the registry and log in again with a "
        "credential helper so no secret is written to the file.",
    ),
    rule(
        "npmrc-auth-token",
        "Registry token in .npmrc (npm _authToken)",
        "high",
        ("_authtoken",),
        r"(?:^[ \t]*|:)_authToken[ \t]*=[ \t]*[\"']?" + DEFER + r"([A-Za-z0-9._~+/=-]{16,2048})"
        r"(?![A-Za-z0-9._~+/=-])",
        min_entropy=3.0,
        mixed=True,
        examples=(
            "//registry.npmjs.org/:_authToken=" + UUID_EXAMPLE,
            "//artifacts.corp.internal/api/npm/npm-local/:_authToken={alnum:64}",
            '_authToken="{b64url:40}"',
        ),
        counter_examples=(
            "//registry.npmjs.org/:_authToken=${{NPM_TOKEN}}",
            "//registry.npmjs.org/:_authToken=npm_{alnum:36}",
            "//npm.pkg.github.com/:_authToken=ghp_{alnum:36}",
        ),
        help="A registry token in .npmrc: it publishes or installs packages as its owner. Revoke it in the "
        "registry's access-token settings and read it from an environment variable (${NPM_TOKEN}) instead.",
    ),
    rule(
        "npmrc-basic-auth",
        "Registry password in .npmrc (npm _auth or _password)",
        "high",
        ("_auth", "_password"),
        r"(?:^[ \t]*|:)_(?:auth|password)[ \t]*=[ \t]*[\"']?([A-Za-z0-9+/]{8,1024}={0,2})" + _B64_END,
        min_entropy=3.0,
        mixed=True,
        examples=(
            "//registry.npmjs.org/:_auth={b64:32}",
            "//pkgs.dev.azure.com/org/_packaging/feed/npm/registry/:_password={b64:18}==",
        ),
        counter_examples=(
            "//registry.npmjs.org/:_auth=${{NPM_AUTH}}",
            "_password=",
        ),
        help="A base64 user:password (_auth) or password (_password) for an npm registry. Change the password "
        "or revoke the token at the registry and supply it from the environment instead.",
    ),
    rule(
        "netrc-password",
        "Password in a .netrc entry",
        "high",
        ("machine",),
        r"(?:^|[\s\"'])machine[ \t]+[^\s]{1,255}(?:[ \t]+(?:login|account)[ \t]+[^\s]{1,255}){0,2}"
        r"[ \t]+password[ \t]+" + DEFER + r"([^\s\"'`$]{6,256})(?![^\s\"'`;])",
        min_entropy=3.0,
        examples=(
            "machine api.heroku.com login dev@corp.io password {alnum:20}",
            'echo "machine git.corp.internal login ci password {alnum:32}" > ~/.netrc',
        ),
        counter_examples=(
            'echo "machine github.com login x-access-token password $GITHUB_TOKEN" >> ~/.netrc',
            "machine example.com login user password pass",
            "machine github.com login ci password ghp_{alnum:36}",
        ),
        help="A .netrc password, used by git, curl and other tools to log in to the host. Change it or revoke "
        "the token at that host, and keep .netrc out of the repository.",
    ),
    rule(
        "config-file-password",
        "Plain-text password in a config file (.pypirc, kubeconfig, INI or YAML)",
        "medium",
        ("password",),
        r"^[ \t]*password[ \t]*[=:][ \t]*" + DEFER + r"(?!pypi-)([^\s\"'`$%{}()\[\]<>;,.=]{10,128})\s*$",
        min_entropy=3.2,
        mixed=True,
        examples=(
            "password = {alnum:20}",
            "    password: {alnum:24}",
        ),
        counter_examples=(
            "password = %(PYPI_PASSWORD)s",
            "password = pypi-AgEIcHlwaS5vcmc{b64url:60}",
            "    password: ${{DB_PASSWORD}}",
            "password = hunter2",
        ),
        help="A password written in clear in a configuration file (.pypirc index password, kubeconfig basic "
        "auth, INI or YAML settings). Change it at the service it opens and read it from a secret store or "
        "the environment instead.",
    ),
    rule(
        "htpasswd-hash",
        "Password hash in htpasswd format",
        "low",
        ("$apr1$", "$2y$", "$2a$", "$2b$", "{sha}"),
        r"^[ \t]*[\"']?[A-Za-z0-9._@-]{1,64}:(?:\{SHA\})?((?:\$apr1\$[./0-9A-Za-z]{1,8}\$[./0-9A-Za-z]{22}"
        r"|\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}|(?<=\{SHA\})[A-Za-z0-9+/]{27}=))(?![./A-Za-z0-9])",
        examples=(
            "admin:$apr1${alnum:8}${alnum:22}",
            "deploy:$2y$10${alnum:53}",
            "ci:{{SHA}}{b64:27}=",
        ),
        counter_examples=(
            "admin:$apr1$salt$hash",
            '  "password_hash": "$2b$12${alnum:53}",',
        ),
        help="A password hash from an htpasswd file: weak passwords can be cracked offline from it. Remove "
        "the file from the repository, change the affected passwords and generate the file at deploy time.",
    ),
)
