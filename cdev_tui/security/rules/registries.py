"""Package registries: npm, PyPI, RubyGems, NuGet, Docker Hub, JFrog Artifactory, crates.io, Private
Packagist, Pulumi, Terraform Cloud, Clojars, Hex and the Gradle Plugin Portal.

Prefixed formats come first; the context rules (the registry's name in the key) follow them.
"""

from __future__ import annotations

from cdev_tui.security.rules.base import EDGE_LEFT, EDGE_RIGHT, Rule, rule
from cdev_tui.security.rules.keys import assigned

RULES: tuple[Rule, ...] = (
    rule(
        "npm-token",
        "NPM access token",
        "high",
        ("npm_",),
        EDGE_LEFT + r"(npm_[A-Za-z0-9]{36})" + EDGE_RIGHT,
        min_entropy=3.0,
        mixed=True,
        examples=(
            "//registry.npmjs.org/:_authToken=npm_{alnum:36}",
            "NPM_TOKEN=npm_{alnum:36}",
            "          NODE_AUTH_TOKEN: npm_{alnum:36}",
        ),
        counter_examples=(
            "NPM_TOKEN=npm_{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
            "NPM_TOKEN=npm_{alnum:20}",
            "//registry.npmjs.org/:_authToken=${{NPM_TOKEN}}",
        ),
        help="An npm access token (granular or classic): it publishes, deprecates or installs packages as "
        "its owner, private ones included. Revoke it with npm token revoke or under Access Tokens on "
        "npmjs.com, and publish from CI with trusted publishing instead.",
    ),
    rule(
        "pypi-token",
        "PyPI upload token",
        "high",
        ("pypi-",),
        EDGE_LEFT + r"(pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,512})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "password = pypi-AgEIcHlwaS5vcmc{b64url:150}",
            "TWINE_PASSWORD=pypi-AgENdGVzdC5weXBpLm9yZw{b64url:140}",
            "uv publish --token pypi-AgEIcHlwaS5vcmc{b64url:160}",
        ),
        counter_examples=(
            "TWINE_PASSWORD=pypi-AgEIcHlwaS5vcmc{b64url:20}",
            "password = pypi-{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
            "TWINE_PASSWORD=${{PYPI_TOKEN}}",
        ),
        help="A PyPI (or TestPyPI) API token: it uploads new releases of every project it is scoped to. "
        "Remove it under Account settings > API tokens on pypi.org (PyPI also revokes tokens it finds "
        "public), and prefer trusted publishing from CI.",
    ),
    rule(
        "rubygems-api-key",
        "RubyGems API key",
        "high",
        ("rubygems_",),
        EDGE_LEFT + r"(rubygems_[0-9a-f]{48})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            ":rubygems_api_key: rubygems_{hex:48}",
            "GEM_HOST_API_KEY=rubygems_{hex:48}",
        ),
        counter_examples=(
            "GEM_HOST_API_KEY=rubygems_{hex:20}",
            "GEM_HOST_API_KEY=${{RUBYGEMS_API_KEY}}",
        ),
        help="A RubyGems.org API key: within its scopes it pushes, yanks or manages the owner's gems. Delete "
        "it under Settings > API keys on rubygems.org and prefer trusted publishing from CI.",
    ),
    rule(
        "nuget-api-key",
        "NuGet API key",
        "high",
        ("oy2",),
        EDGE_LEFT + r"(oy2[a-z0-9]{43})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "dotnet nuget push bin/Release/App.1.2.0.nupkg --api-key oy2{lowernum:43} "
            "--source https://api.nuget.org/v3/index.json",
            "NUGET_API_KEY=oy2{lowernum:43}",
        ),
        counter_examples=(
            "NUGET_API_KEY=oy2{lowernum:20}",
            "NUGET_API_KEY=${{NUGET_API_KEY}}",
        ),
        help="A nuget.org API key: it pushes or unlists packages matching its glob pattern. Delete it (or "
        "regenerate it) under API Keys on nuget.org.",
    ),
    rule(
        "dockerhub-pat",
        "Docker Hub personal access token",
        "high",
        ("dckr_pat_",),
        EDGE_LEFT + r"(dckr_pat_[A-Za-z0-9_-]{27})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "echo dckr_pat_{b64url:27} | docker login -u ci-bot --password-stdin",
            "DOCKERHUB_TOKEN=dckr_pat_{b64url:27}",
        ),
        counter_examples=(
            "DOCKERHUB_TOKEN=dckr_pat_{b64url:12}",
            "DOCKERHUB_TOKEN=${{DOCKERHUB_TOKEN}}",
        ),
        help="A Docker Hub personal access token: it pulls and (with write scope) pushes or deletes images "
        "of the user's repositories. Delete it under Account settings > Personal access tokens on Docker "
        "Hub.",
    ),
    rule(
        "dockerhub-oat",
        "Docker Hub organisation access token",
        "high",
        ("dckr_oat_",),
        EDGE_LEFT + r"(dckr_oat_[A-Za-z0-9_-]{32})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "docker login -u acme -p dckr_oat_{b64url:32}",
            "      DOCKER_ORG_TOKEN: dckr_oat_{b64url:32}",
        ),
        counter_examples=(
            "DOCKER_ORG_TOKEN=dckr_oat_{b64url:12}",
            "DOCKER_ORG_TOKEN=${{DOCKER_ORG_TOKEN}}",
        ),
        help="A Docker Hub organisation access token: it pulls or pushes the organisation's repositories it "
        "was granted, independent of any user. Deactivate or delete it in the Admin Console under Access "
        "tokens.",
    ),
    rule(
        "artifactory-api-key",
        "JFrog Artifactory API key",
        "high",
        ("akcp",),
        EDGE_LEFT + r"(AKCp[A-Za-z0-9]{69})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "ARTIFACTORY_API_KEY=AKCp8{alnum:68}",
            'curl -H "X-JFrog-Art-Api: AKCp8{alnum:68}" https://acme.jfrog.io/artifactory/api/repositories',
        ),
        counter_examples=(
            "ARTIFACTORY_API_KEY=AKCp{alnum:20}",
            "ARTIFACTORY_API_KEY=AKCp" + "{=x}" * 69,
        ),
        help="A (deprecated) Artifactory API key: it reads and deploys artifacts with all of its user's "
        "permissions. Revoke it in the user profile (Edit Profile > API Key) and switch to scoped access "
        "tokens.",
    ),
    rule(
        "artifactory-reference-token",
        "JFrog Artifactory reference token",
        "high",
        ("cmvmdgtu",),
        EDGE_LEFT + r"(cmVmdGtu[A-Za-z0-9]{56})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "//acme.jfrog.io/artifactory/api/npm/npm-virtual/:_authToken=cmVmdGtuOjAxOj{alnum:50}",
            'JFROG_ACCESS_TOKEN="cmVmdGtuOjAxOj{alnum:50}"',
        ),
        counter_examples=(
            "JFROG_ACCESS_TOKEN=cmVmdGtuOjAxOj{alnum:20}",
            "JFROG_ACCESS_TOKEN=${{JFROG_ACCESS_TOKEN}}",
        ),
        help="A JFrog reference token (the short form of an access token): it acts on Artifactory and the "
        "rest of the JFrog Platform with its user's or scope's permissions. Revoke it in the user profile or "
        "under Administration > User Management > Access Tokens.",
    ),
    rule(
        "jfrog-identity-token",
        "JFrog identity token or API key in a JFrog setting",
        "medium",
        ("jfrog", "artifactory", "jf_access_token"),
        assigned(
            r"(?:jfrog|artifactory)[a-z0-9_.-]{0,20}?(?:token|api_?key|apikey|password)|jf_access_token",
            r"[A-Za-z0-9]{64}",
        ),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "JFROG_IDENTITY_TOKEN={alnum:64}",
            'artifactory_password: "{alnum:64}"',
            "      JF_ACCESS_TOKEN: {alnum:64}",
        ),
        counter_examples=(
            "JFROG_IDENTITY_TOKEN=${{JFROG_IDENTITY_TOKEN}}",
            "JFROG_IDENTITY_TOKEN={alnum:32}",
            "ARTIFACTORY_URL=https://acme.jfrog.io/artifactory",
        ),
        help="A JFrog identity token (or another 64-character JFrog credential): it authenticates as its "
        "user to Artifactory, Xray and the JFrog CLI. Revoke it in the user profile (Identity Tokens) or "
        "under Administration > Access Tokens.",
    ),
    rule(
        "crates-io-token",
        "Crates.io API token",
        "high",
        ("cio",),
        EDGE_LEFT + r"(cio[A-Za-z0-9]{32})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "CARGO_REGISTRY_TOKEN=cio{alnum:32}",
            'token = "cio{alnum:32}"',
        ),
        counter_examples=(
            "CARGO_REGISTRY_TOKEN=cio{alnum:12}",
            'flavour = "cioccolato{lower:25}"',
        ),
        help="A crates.io API token: within its scopes it publishes new versions, yanks them or changes "
        "crate owners. Revoke it under Account Settings > API Tokens on crates.io and prefer trusted "
        "publishing.",
    ),
    rule(
        "packagist-token",
        "Private Packagist authentication token",
        "high",
        ("packagist_",),
        EDGE_LEFT + r"(packagist_[a-z]{3}_[0-9a-f]{68})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "composer config --global --auth http-basic.repo.packagist.com token packagist_out_{hex:68}",
            '{{"http-basic": {{"repo.packagist.com": {{"username": "token", "password": '
            '"packagist_ort_{hex:68}"}}}}}}',
        ),
        counter_examples=(
            "COMPOSER_AUTH_TOKEN=packagist_uut_{hex:20}",
            "COMPOSER_AUTH_TOKEN=packagist_uut_" + "{=x}" * 68,
        ),
        help="A Private Packagist token (organisation read-only ort_, organisation update out_ or user "
        "uut_): it installs the organisation's private packages, and update tokens mirror new ones. "
        "Regenerate or delete it in the organisation settings (or profile) on packagist.com.",
    ),
    rule(
        "pulumi-access-token",
        "Pulumi access token",
        "high",
        ("pul-",),
        EDGE_LEFT + r"(pul-[0-9a-f]{40})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "PULUMI_ACCESS_TOKEN=pul-{hex:40}",
            "          PULUMI_ACCESS_TOKEN: pul-{hex:40}",
        ),
        counter_examples=(
            "PULUMI_ACCESS_TOKEN=pul-{hex:20}",
            "PULUMI_ACCESS_TOKEN=pul-{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
        ),
        help="A Pulumi Cloud access token: it reads and updates the stacks, state and secrets of its user, "
        "team or organisation. Delete it under Settings > Access Tokens in Pulumi Cloud.",
    ),
    rule(
        "terraform-cloud-token",
        "Terraform Cloud / Enterprise API token",
        "high",
        ("atlasv1",),
        EDGE_LEFT + r"([A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "TF_TOKEN_app_terraform_io={alnum:14}.atlasv1.{b64url:67}",
            '      "token": "{alnum:14}.atlasv1.{b64url:67}"',
            '  token = "{alnum:14}.atlasv1.{b64url:66}"',
        ),
        counter_examples=(
            'token = "{alnum:14}.atlasv1.{b64url:20}"',
            "TF_TOKEN_app_terraform_io=${{TF_API_TOKEN}}",
        ),
        help="An HCP Terraform (Terraform Cloud) or Terraform Enterprise user, team or organisation token: "
        "it runs plans and applies and reads workspace state and variables. Delete it under User Settings > "
        "Tokens (or the team's or organisation's API token page).",
    ),
    rule(
        "clojars-token",
        "Clojars deploy token",
        "high",
        ("clojars_",),
        EDGE_LEFT + r"(CLOJARS_[A-Za-z0-9]{60})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "CLOJARS_PASSWORD=CLOJARS_{hex:60}",
            ':deploy-repositories [["clojars" {{:url "https://repo.clojars.org" :username "dev" '
            ':password "CLOJARS_{hex:60}"}}]]',
        ),
        counter_examples=(
            "CLOJARS_PASSWORD=CLOJARS_{hex:30}",
            "CLOJARS_USERNAME=${{CLOJARS_USERNAME}}",
        ),
        help="A Clojars deploy token: it deploys new versions of the user's (or group's) libraries. Disable "
        "it under Profile > Deploy Tokens on clojars.org.",
    ),
    rule(
        "hex-api-key",
        "Hex.pm API key",
        "medium",
        ("hex_api_key", "hex_org"),
        assigned(r"hex_api_key|hex_org[a-z_]{0,15}key", r"[0-9a-f]{32}"),
        min_entropy=3.0,
        examples=(
            "HEX_API_KEY={hex:32}",
            "          HEX_API_KEY: {hex:32}",
            "HEX_ORGANIZATION_KEY={hex:32}",
        ),
        counter_examples=(
            "HEX_API_KEY=${{{{ secrets.HEX_API_KEY }}}}",
            "HEX_API_KEY={hex:16}",
        ),
        help="A Hex.pm API key (user or organisation): it publishes, retires or reverts packages, or reads "
        "an organisation's private packages. Revoke it with mix hex.user key revoke (or mix hex.organization "
        "key revoke) or on the hex.pm dashboard.",
    ),
    rule(
        "gradle-plugin-portal-key",
        "Gradle Plugin Portal publishing key or secret",
        "medium",
        ("gradle.publish.", "gradle_publish_"),
        assigned(r"gradle[._]publish[._](?:key|secret)", r"[A-Za-z0-9]{24,64}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "gradle.publish.key={alnum:32}",
            "gradle.publish.secret={alnum:32}",
            "      GRADLE_PUBLISH_SECRET: {alnum:32}",
        ),
        counter_examples=(
            "gradle.publish.key=${{GRADLE_PUBLISH_KEY}}",
            "gradle.publish.secret={alnum:10}",
        ),
        help="The key and secret that publish Gradle plugins to plugins.gradle.org as their account. "
        "Regenerate them under API Keys on the account page of plugins.gradle.org and pass them from CI "
        "secrets.",
    ),
)
