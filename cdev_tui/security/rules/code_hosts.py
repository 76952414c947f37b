"""Code hosts, CI and orchestration: GitHub, GitLab, Bitbucket, CircleCI, Travis, Buildkite, Prefect, Azure DevOps,
Drone, Codecov, SonarQube."""

from __future__ import annotations

from cdev_tui.security.model import Severity
from cdev_tui.security.rules.base import EDGE_LEFT, EDGE_RIGHT, Rule, rule
from cdev_tui.security.rules.keys import UUID, UUID_EXAMPLE, assigned


def _gitlab(
    rule_id: str,
    description: str,
    severity: Severity,
    prefix: str,
    body: str,
    help: str,
    examples: tuple[str, ...],
) -> Rule:
    """A GitLab token rule: ``prefix`` and ``body``, optionally followed by routable-token segments."""
    return rule(
        rule_id,
        description,
        severity,
        (prefix,),
        EDGE_LEFT + "(" + prefix + body + r"(?:\.[A-Za-z0-9_-]{1,64}){0,2})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=examples,
        counter_examples=(
            prefix + "{alnum:8}",
            prefix + "{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
        ),
        help=help,
    )


_REVOKE_PAT = "Revoke it in GitLab under User settings > Access tokens (or the group or project's settings)."

RULES: tuple[Rule, ...] = (
    # --- GitHub ------------------------------------------------------------------------------------------
    rule(
        "github-token",
        "GitHub token",
        "high",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        EDGE_LEFT + r"(gh[pousr]_[A-Za-z0-9]{36,251})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            'GH = "ghp_{alnum:36}"',
            "GITHUB_TOKEN=gho_{alnum:36}",
            "Authorization: token ghs_{alnum:36}",
            "  refresh_token: ghr_{alnum:76}",
            "user_token = ghu_{alnum:36}",
        ),
        counter_examples=(
            "token = ghp_{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
            "token = ghp_{alnum:20}",
            "GITHUB_TOKEN: ${{{{ secrets.GITHUB_TOKEN }}}}",
        ),
        help="A GitHub personal access token (ghp_), OAuth token (gho_), app user or installation token "
        "(ghu_, ghs_) or refresh token (ghr_): it acts on repositories with the token's scopes. Revoke it "
        "under Settings > Developer settings (or the OAuth/GitHub App's settings) and create a new one.",
    ),
    rule(
        "github-fine-grained-pat",
        "GitHub fine-grained personal access token",
        "high",
        ("github_pat_",),
        EDGE_LEFT + r"(github_pat_[A-Za-z0-9_]{80,255})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "auth: github_pat_{alnum:22}_{alnum:59}",
            'export GH_TOKEN="github_pat_{alnum:22}_{alnum:59}"',
        ),
        counter_examples=(
            "auth: github_pat_{alnum:22}",
            "auth: github_pat_{=xxxxxxxxxxxxxxxxxxxxxx_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
        ),
        help="A fine-grained GitHub token: it acts on the selected repositories and organisations with its "
        "permissions. Revoke it under Settings > Developer settings > Fine-grained tokens.",
    ),
    # --- GitLab (token prefixes from GitLab's token overview) --------------------------------------------
    rule(
        "gitlab-pat",
        "GitLab personal access token",
        "high",
        ("glpat-",),
        EDGE_LEFT + r"(glpat-[A-Za-z0-9_-]{20,255}(?:\.[A-Za-z0-9_-]{1,64}){0,3})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "gitlab = glpat-{b64url:20}",
            "GITLAB_TOKEN=glpat-{b64url:38}.01.{lowernum:9}",
        ),
        counter_examples=(
            "gitlab = glpat-{=xxxxxxxxxxxxxxxxxxxx}",
            "gitlab = glpat-{alnum:10}",
        ),
        help="A GitLab personal, project or group access token: it uses the API and repositories with its "
        "scopes. " + _REVOKE_PAT,
    ),
    _gitlab(
        "gitlab-pipeline-trigger-token",
        "GitLab pipeline trigger token",
        "high",
        "glptt-",
        r"[A-Za-z0-9_-]{20,64}",
        "A pipeline trigger token: it runs pipelines (with their CI secrets) as the token's owner. Revoke it "
        "under the project's Settings > CI/CD > Pipeline trigger tokens.",
        (
            "curl -F token=glptt-{hex:40} -F ref=main https://gitlab.corp.internal/api/v4/projects/42/trigger/pipeline",
            'TRIGGER_TOKEN="glptt-{hex:40}"',
        ),
    ),
    _gitlab(
        "gitlab-runner-auth-token",
        "GitLab runner authentication token",
        "high",
        "glrt-",
        r"[A-Za-z0-9_-]{20,255}",
        "A runner authentication token: whoever holds it can pick up CI jobs and their secrets. Reset it "
        "under Settings > CI/CD > Runners (or delete the runner) and re-register.",
        ('token = "glrt-t1_{alnum:27}.0w{lowernum:7}"', "RUNNER_TOKEN=glrt-{b64url:20}"),
    ),
    rule(
        "gitlab-runner-registration-token",
        "GitLab runner registration token",
        "high",
        ("gr1348941",),
        EDGE_LEFT + r"(GR1348941[A-Za-z0-9_-]{20})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "gitlab-runner register --registration-token GR1348941{b64url:20}",
            'runnerRegistrationToken: "GR1348941{alnum:20}"',
        ),
        counter_examples=(
            "runnerRegistrationToken: GR1348941{=XXXXXXXXXXXXXXXXXXXX}",
            "runnerRegistrationToken: GR1348941{alnum:10}",
        ),
        help="A (deprecated) runner registration token: it registers runners that receive CI jobs and their "
        "secrets. Reset it under Settings > CI/CD > Runners and move to runner authentication tokens.",
    ),
    _gitlab(
        "gitlab-deploy-token",
        "GitLab deploy token",
        "high",
        "gldt-",
        r"[A-Za-z0-9_-]{20,255}",
        "A deploy token: it reads (or writes) the repository, packages and container registry. Revoke it under "
        "the project's or group's Settings > Repository > Deploy tokens.",
        ("CI_DEPLOY_PASSWORD=gldt-{b64url:20}", '  password: "gldt-{b64url:20}"'),
    ),
    _gitlab(
        "gitlab-feed-token",
        "GitLab feed token",
        "medium",
        "glft-",
        r"[A-Za-z0-9_-]{20,255}",
        "A feed token: it reads the user's RSS/Atom and calendar feeds, which can reveal private issues and "
        "activity. Reset it under User settings > Access tokens > Feed token.",
        (
            "feed_url = https://gitlab.corp.internal/dashboard/issues.atom?feed_token=glft-{b64url:20}",
            "GITLAB_FEED_TOKEN=glft-{b64url:20}",
        ),
    ),
    _gitlab(
        "gitlab-incoming-mail-token",
        "GitLab incoming e-mail token",
        "medium",
        "glimt-",
        r"[A-Za-z0-9_-]{25,255}",
        "An incoming e-mail token: it creates issues and merge requests by e-mail as the user. Reset it from "
        "the project's issue list (Email a new issue to this project > reset).",
        ('incoming_email_token: "glimt-{alnum:25}"', "GITLAB_INCOMING_MAIL_TOKEN=glimt-{b64url:25}"),
    ),
    _gitlab(
        "gitlab-agent-token",
        "GitLab agent for Kubernetes token",
        "high",
        "glagent-",
        r"[A-Za-z0-9_-]{50,255}",
        "A GitLab agent for Kubernetes token: it connects an agent to the project and can deploy to its "
        "cluster. Revoke it under Operate > Kubernetes clusters > the agent's Access tokens.",
        ('token: "glagent-{b64url:50}"', "GITLAB_AGENT_TOKEN=glagent-{b64url:50}"),
    ),
    _gitlab(
        "gitlab-oauth-app-secret",
        "GitLab OAuth application secret",
        "high",
        "gloas-",
        r"[A-Za-z0-9_-]{64}",
        "The secret of a GitLab OAuth application: it lets anyone impersonate the application in OAuth "
        "flows. Renew it under the application's settings (User, group or admin Applications).",
        ('GITLAB_CLIENT_SECRET="gloas-{hex:64}"', "  app_secret: gloas-{b64url:64}"),
    ),
    _gitlab(
        "gitlab-scim-token",
        "GitLab SCIM token",
        "high",
        "glsoat-",
        r"[A-Za-z0-9_-]{20,255}",
        "A SCIM token: it provisions and deprovisions users of the group or instance. Reset it under the "
        "group's Settings > SAML SSO (SCIM token).",
        ("scim_token: glsoat-{b64url:20}", "Authorization: Bearer glsoat-{alnum:20}"),
    ),
    _gitlab(
        "gitlab-ci-job-token",
        "GitLab CI/CD job token",
        "medium",
        "glcbt-",
        r"[A-Za-z0-9_-]{20,300}",
        "A CI/CD job token: it reaches the API and registries as the job's user while the job runs. It expires "
        "with the job; cancel running jobs if it leaked and review the job token's allowlist.",
        ("CI_JOB_TOKEN=glcbt-{alnum:2}_{b64url:20}", "JOB-TOKEN: glcbt-{alnum:2}_{alnum:20}"),
    ),
    _gitlab(
        "gitlab-feature-flags-client-token",
        "GitLab feature flags client token",
        "medium",
        "glffct-",
        r"[A-Za-z0-9_-]{20,255}",
        "A feature flags client token: it reads the project's feature flags and user lists. Reset it under "
        "Deploy > Feature flags > Configure.",
        ("UNLEASH_INSTANCE_ID=glffct-{b64url:20}", 'instanceId: "glffct-{alnum:20}"'),
    ),
    # --- Bitbucket, CircleCI, Travis, Buildkite ----------------------------------------------------------
    rule(
        "bitbucket-app-password",
        "Bitbucket app password or API token",
        "high",
        ("atbb",),
        EDGE_LEFT + r"(ATBB[A-Za-z0-9]{32})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "BITBUCKET_APP_PASSWORD=ATBB{alnum:24}{HEX:8}",
            'bitbucket_password: "ATBB{alnum:24}{HEX:8}"',
        ),
        counter_examples=(
            "BITBUCKET_APP_PASSWORD=ATBB{alnum:10}",
            "BITBUCKET_APP_PASSWORD=ATBB{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
        ),
        help="A Bitbucket app password: with the user name it uses the API and git with its permissions. "
        "Revoke it under Personal settings > App passwords.",
    ),
    rule(
        "bitbucket-access-token",
        "Bitbucket repository, project or workspace access token",
        "high",
        ("atctt3xffgn0",),
        EDGE_LEFT + r"(ATCTT3xFfGN0[A-Za-z0-9_=-]{150,300})" + EDGE_RIGHT,
        min_entropy=4.0,
        examples=(
            "Authorization: Bearer ATCTT3xFfGN0{b64url:180}={HEX:8}",
            'BITBUCKET_TOKEN="ATCTT3xFfGN0{b64url:170}={HEX:8}"',
        ),
        counter_examples=("BITBUCKET_TOKEN=ATCTT3xFfGN0{b64url:40}",),
        help="A Bitbucket access token: it reads or writes the repository, project or workspace it belongs to. "
        "Revoke it under the repository's (or project's, workspace's) Settings > Access tokens.",
    ),
    rule(
        "circleci-personal-token",
        "CircleCI personal or project API token",
        "high",
        ("ccipat_", "cciprj_"),
        EDGE_LEFT + r"(CCIP(?:AT|RJ)_[A-Za-z0-9]{20,24}_[0-9a-f]{40})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "CIRCLECI_TOKEN=CCIPAT_{alnum:22}_{hex:40}",
            "Circle-Token: CCIPRJ_{alnum:22}_{hex:40}",
        ),
        counter_examples=(
            "export CIRCLECI_TOKEN=CCIPAT_...",
            "CIRCLECI_TOKEN=CCIPAT_{alnum:22}",
        ),
        help="A CircleCI API token: a personal token has full read and write access as the user, a project "
        "token acts on one project. Delete it under User Settings > Personal API Tokens (or Project Settings "
        "> API Permissions).",
    ),
    rule(
        "circleci-token",
        "CircleCI API token (unprefixed)",
        "medium",
        ("circle",),
        assigned(r"circle[a-z0-9_.-]{0,20}?token", r"[0-9a-f]{40}"),
        min_entropy=3.0,
        examples=(
            "CIRCLE_TOKEN={hex:40}",
            'circleci_api_token: "{hex:40}"',
        ),
        counter_examples=(
            "CIRCLE_SHA1={hex:40}",
            "CIRCLE_TOKEN=${{CIRCLE_TOKEN}}",
        ),
        help="A CircleCI API token in the older unprefixed format: full API access as its user or project. "
        "Delete it under User Settings > Personal API Tokens.",
    ),
    rule(
        "travis-ci-token",
        "Travis CI API token",
        "medium",
        ("travis",),
        assigned(r"travis[a-z0-9_.-]{0,20}?token", r"[A-Za-z0-9_-]{22}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "TRAVIS_API_TOKEN={b64url:22}",
            'travis_token: "{alnum:22}"',
        ),
        counter_examples=(
            "TRAVIS_API_TOKEN=${{TRAVIS_TOKEN}}",
            "TRAVIS_COMMIT={hex:40}",
        ),
        help="A Travis CI API token: it triggers builds and reads or changes settings and environment "
        "variables. Regenerate it under Settings > API authentication (travis token --regenerate).",
    ),
    rule(
        "buildkite-api-token",
        "Buildkite API access token",
        "high",
        ("bkua_",),
        EDGE_LEFT + r"(bkua_[0-9a-f]{40})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "BUILDKITE_API_TOKEN=bkua_{hex:40}",
            "Authorization: Bearer bkua_{hex:40}",
        ),
        counter_examples=("BUILDKITE_API_TOKEN=bkua_{hex:16}",),
        help="A Buildkite user API access token: it uses the REST and GraphQL APIs with its scopes. Revoke it "
        "under Personal Settings > API Access Tokens.",
    ),
    rule(
        "prefect-api-key",
        "Prefect Cloud API key",
        "high",
        ("pnu_",),
        EDGE_LEFT + r"(pnu_[A-Za-z0-9]{36})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "PREFECT_API_KEY=pnu_{alnum:36}",
            "ARG PREFECT_API_KEY=pnu_{alnum:36}",
            "prefect cloud login --key pnu_{alnum:36} --workspace acme/prod",
        ),
        counter_examples=(
            "PREFECT_API_KEY=pnu_{=XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX}",
            "PREFECT_API_KEY=pnu_{alnum:12}",
        ),
        help="A Prefect Cloud API key (or service account key): it runs, changes and reads the flows, "
        "deployments, blocks and their stored credentials in the workspaces it can reach. Delete it under "
        "API keys in the Prefect Cloud account settings (or the service account's page).",
    ),
    # --- Azure DevOps, Drone, Codecov, SonarQube ---------------------------------------------------------
    rule(
        "azure-devops-pat",
        "Azure DevOps personal access token",
        "high",
        ("jqqj9",),
        EDGE_LEFT
        + r"([A-Za-z0-9]{52}JQQJ9[9DH][A-Za-z0-9][A-L][A-Za-z0-9]{16}AZDO[A-Za-z0-9]{4})"
        + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "AZURE_DEVOPS_EXT_PAT={alnum:52}JQQJ99{alnum:1}{=A|C|F}{alnum:16}AZDO{alnum:4}",
            'token = "{alnum:52}JQQJ99{alnum:1}{=B|D|L}{alnum:16}AZDO{alnum:4}"',
        ),
        counter_examples=(
            "AZURE_OPENAI_API_KEY={alnum:52}JQQJ99{alnum:1}{=B}{alnum:16}ACOG{alnum:4}",
            "token = {alnum:52}JQQJ99",
        ),
        help="An Azure DevOps personal access token: it reaches repositories, pipelines and artifacts with its "
        "scopes. Revoke it under User settings > Personal access tokens (organisation admins can revoke any).",
    ),
    rule(
        "azure-devops-legacy-pat",
        "Azure DevOps personal access token (52-character format)",
        "medium",
        (
            "azure_devops",
            "azure-devops",
            "azuredevops",
            "azdo",
            "vsts",
            "ado_",
            "ado-",
            "ado.",
            "adopat",
            "adotoken",
        ),
        assigned(
            r"(?:azure[_.-]?devops|azdo|vsts|(?<![a-z0-9])ado[_.-]?)[a-z0-9_.-]{0,20}?(?:pat|token)",
            r"[a-z2-7]{52}",
        ),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "AZURE_DEVOPS_EXT_PAT={lower:26}{=2|3|4|5|6|7}{lower:25}",
            'azdo_token: "{lower:20}{=2|3|4|5|6|7}{lower:31}"',
            'export ADO_PAT="{lower:20}{=2|3|4|5|6|7}{lower:31}"',
            '    "adoPat": "{lower:20}{=2|3|4|5|6|7}{lower:31}",',
            '<add key="AzureDevopsPat" value="{lower:20}{=2|3|4|5|6|7}{lower:31}" />',
            'const AZURE_DEVOPS_PAT: &str = "{lower:20}{=2|3|4|5|6|7}{lower:31}";',
        ),
        counter_examples=(
            "AZURE_DEVOPS_EXT_PAT=$(System.AccessToken)",
            "AZURE_DEVOPS_ORG_URL_TOKEN={lower:40}",
            "TORNADO_PAT={lower:20}{=2|3|4|5|6|7}{lower:31}",
        ),
        help="An Azure DevOps personal access token in the older 52-character format: it reaches "
        "repositories, pipelines and artifacts with its scopes. Revoke it under User settings > Personal "
        "access tokens.",
    ),
    rule(
        "drone-token",
        "Drone CI API token",
        "medium",
        ("drone",),
        assigned(r"drone[a-z0-9_.-]{0,20}?token", r"[A-Za-z0-9]{32}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "DRONE_TOKEN={alnum:32}",
            'drone_api_token: "{alnum:32}"',
        ),
        counter_examples=(
            "DRONE_TOKEN=${{DRONE_TOKEN}}",
            "DRONE_TOKEN={alnum:16}",
        ),
        help="A Drone user token: it uses the Drone API as the user (builds, secrets, repositories). Rotate it "
        "from the user's account page in the Drone UI (or drone user update --token).",
    ),
    rule(
        "codecov-token",
        "Codecov upload token",
        "medium",
        ("codecov",),
        assigned(r"codecov[a-z0-9_.-]{0,20}?token", UUID),
        min_entropy=3.0,
        examples=(
            "CODECOV_TOKEN=" + UUID_EXAMPLE,
            '        codecov_token: "' + UUID_EXAMPLE + '"',
        ),
        counter_examples=(
            "CODECOV_TOKEN: ${{{{ secrets.CODECOV_TOKEN }}}}",
            "CODECOV_TOKEN={hex:32}",
        ),
        help="A Codecov upload token: it uploads coverage reports to the repository (or organisation). "
        "Regenerate it in the repository's Codecov settings.",
    ),
    rule(
        "sonarqube-token",
        "SonarQube or SonarCloud token",
        "high",
        ("squ_", "sqp_", "sqa_"),
        EDGE_LEFT + r"((?:squ|sqp|sqa)_[0-9a-f]{40})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "SONAR_TOKEN=squ_{hex:40}",
            "sonar.token=sqp_{hex:40}",
        ),
        counter_examples=(
            "SONAR_TOKEN=squ_{hex:20}",
            "SONAR_TOKEN=sqa_{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
        ),
        help="A SonarQube user (squ_), project analysis (sqp_) or global analysis (sqa_) token: it runs "
        "analyses and, for user tokens, uses the API as the user. Revoke it under My Account > Security.",
    ),
    rule(
        "sonar-token",
        "SonarQube or SonarCloud token (unprefixed)",
        "medium",
        ("sonar",),
        assigned(r"sonar[a-z0-9_.-]{0,20}?(?:token|login)", r"[0-9a-f]{40}"),
        min_entropy=3.0,
        examples=(
            "SONAR_TOKEN={hex:40}",
            "sonar.login={hex:40}",
        ),
        counter_examples=(
            "sonar.projectKey=acme_{lower:12}",
            "SONAR_TOKEN=${{SONAR_TOKEN}}",
        ),
        help="A SonarCloud or older SonarQube token: it runs analyses and uses the API as its user. Revoke it "
        "under My Account > Security.",
    ),
)
