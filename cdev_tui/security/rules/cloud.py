"""Cloud providers: AWS, Google Cloud and Firebase, Azure, Alibaba, IBM, Tencent, Yandex (hosting and edge platforms
are in :mod:`.hosting`)."""

from __future__ import annotations

from cdev_tui.security.rules.base import EDGE_LEFT, EDGE_RIGHT, Rule, rule
from cdev_tui.security.rules.keys import ASSIGN, UUID, UUID_EXAMPLE, assigned

_B64_END = r"(?![A-Za-z0-9+/=])"
_AZURITE_KEY = r"Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq"  # public emulator key

RULES: tuple[Rule, ...] = (
    # --- AWS ---------------------------------------------------------------------------------------------
    rule(
        "aws-access-key-id",
        "AWS access key ID",
        "high",
        ("akia", "asia"),
        r"(?<![A-Z0-9])((?:AKIA|ASIA)[A-Z2-7]{16})(?![A-Z0-9])",
        min_entropy=3.0,
        examples=(
            "aws_access_key_id = AKIA{b32:16}",
            'export AWS_ACCESS_KEY_ID="ASIA{b32:16}"',
        ),
        counter_examples=(
            "aws_access_key_id = AKIA{=IOSFODNN7EXAMPLE}",
            "aws_access_key_id = AKIA{b32:12}",
        ),
        help="The ID half of an AWS access key (AKIA long-term, ASIA temporary); the secret key is usually "
        "nearby. Deactivate and delete the key in IAM (Security credentials), create a new one and check "
        "CloudTrail for its use.",
    ),
    rule(
        "aws-secret-access-key",
        "AWS secret access key",
        "high",
        ("secret",),
        r"(?i)(?:aws[_.-]?secret(?:[_.-]?access)?[_.-]?key|secret[_.-]?access[_.-]?key)"
        + ASSIGN
        + r"([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
        min_entropy=3.5,
        examples=(
            "aws_secret_access_key = {b64:40}",
            '  "SecretAccessKey": "{alnum:40}",',
        ),
        counter_examples=(
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCY{=EXAMPLEKEY}",
            "aws_secret_access_key = ${{AWS_SECRET_ACCESS_KEY}}",
        ),
        help="The secret half of an AWS access key: with the key ID it signs API requests as the IAM user or "
        "role. Deactivate and delete the access key in IAM, create a new one and review CloudTrail.",
    ),
    rule(
        "aws-session-token",
        "AWS temporary session token",
        "high",
        ("iqojb3jpz2lux2vj", "fwogzxivyxdz", "fqogzxivyxdz"),
        r"(?<![A-Za-z0-9+/])((?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdz|FQoGZXIvYXdz)[A-Za-z0-9+/]{80,4096}={0,2})"
        + _B64_END,
        min_entropy=4.0,
        examples=(
            "aws_session_token = IQoJb3JpZ2luX2VjE{b64:700}",
            '    "SessionToken": "FwoGZXIvYXdzE{b64:300}==",',
        ),
        counter_examples=(
            "aws_session_token = IQoJb3JpZ2luX2Vj{b64:20}",
            'aws_session_token = "${{AWS_SESSION_TOKEN}}"',
        ),
        help="An STS session token: with its key pair it acts as the assumed role until it expires (up to 36 "
        "hours). Revoke active sessions from the role in IAM (Revoke sessions) and find where the role was "
        "assumed.",
    ),
    rule(
        "aws-mws-key",
        "Amazon Marketplace Web Service auth token",
        "high",
        ("amzn.mws.",),
        EDGE_LEFT + r"(amzn\.mws\." + UUID + r")" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            'mws_auth_token = "amzn.mws.' + UUID_EXAMPLE + '"',
            "MWS_AUTH_TOKEN=amzn.mws." + UUID_EXAMPLE,
        ),
        counter_examples=(
            "MWS_AUTH_TOKEN=amzn.mws.{hex:8}-{hex:4}",
            "MWS_AUTH_TOKEN=amzn.mws.<token>",
        ),
        help="An MWS authorisation token: it lets a developer call Amazon seller APIs for the seller who "
        "granted it. Revoke the developer's access in Seller Central (User Permissions) and re-authorise.",
    ),
    # --- Google Cloud ------------------------------------------------------------------------------------
    rule(
        "gcp-service-account-key-id",
        "Google Cloud service-account key file",
        "medium",
        ("private_key_id",),
        r"\"private_key_id\"[ \t]*:[ \t]*\"([0-9a-f]{40})\"",
        min_entropy=3.0,
        examples=('  "private_key_id": "{hex:40}",',),
        counter_examples=(
            '  "private_key_id": "",',
            '  "private_key_id": "{hex:32}",',
        ),
        help="The key ID line of a service-account JSON key file; the file's private_key is the credential. "
        "Delete the key under IAM > Service accounts > Keys and use workload identity or a secret store.",
    ),
    rule(
        "google-api-key",
        "Google API key",
        "high",
        ("aiza",),
        EDGE_LEFT + r"(AIza[A-Za-z0-9_-]{35})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "const maps = 'AIza{b64url:35}';",
            "GOOGLE_API_KEY=AIza{b64url:35}",
        ),
        counter_examples=(
            "const maps = 'AIza{b64url:30}';",
            "apiKey: 'AIzaSy{=XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX}'",
        ),
        help="A Google Cloud / Firebase / Maps API key: it bills calls to the project for every API it is not "
        "restricted from. Delete or regenerate it under APIs & Services > Credentials and add API and "
        "application restrictions to the new key.",
    ),
    rule(
        "google-oauth-client-secret",
        "Google OAuth client secret",
        "high",
        ("gocspx-",),
        EDGE_LEFT + r"(GOCSPX-[A-Za-z0-9_-]{28})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            '  "client_secret": "GOCSPX-{b64url:28}",',
            "GOOGLE_CLIENT_SECRET=GOCSPX-{b64url:28}",
        ),
        counter_examples=(
            "GOOGLE_CLIENT_SECRET=GOCSPX-{b64url:20}",
            "client_secret: GOCSPX-{=xxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
        ),
        help="The secret of a Google OAuth client: with the client ID it lets anyone impersonate the "
        "application in OAuth flows. Reset it under APIs & Services > Credentials and delete the old secret.",
    ),
    rule(
        "google-oauth-refresh-token",
        "Google OAuth refresh token",
        "high",
        ("1//0",),
        r"(?<![A-Za-z0-9_/-])(1//0[A-Za-z0-9_-]{60,512})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            '  "refresh_token": "1//0{=4|5|6|9}{b64url:99}",',
            "GOOGLE_REFRESH_TOKEN=1//0g{b64url:100}",
        ),
        counter_examples=(
            "x = 1//0",
            "refresh_token: 1//0{b64url:20}",
        ),
        help="A long-lived Google OAuth refresh token: it mints access tokens for the user's granted scopes "
        "until revoked. Revoke it from the Google account's Third-party access page (or the OAuth revoke "
        "endpoint) and sign in again.",
    ),
    rule(
        "google-oauth-access-token",
        "Google OAuth access token",
        "medium",
        ("ya29.",),
        EDGE_LEFT + r"(ya29\.(?:[A-Za-z0-9_-]{1,8}\.)?[A-Za-z0-9_-]{50,2048})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "Authorization: Bearer ya29.a0{b64url:150}",
            'access_token = "ya29.c.{b64url:200}"',
        ),
        counter_examples=(
            "Authorization: Bearer ya29.<access-token>",
            "access_token = ya29.{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
        ),
        help="A Google OAuth access token: it calls Google APIs with the granted scopes for about an hour. "
        "Revoke it (and the grant that issued it) from the account's Third-party access page.",
    ),
    # --- Azure -------------------------------------------------------------------------------------------
    # The identifiable formats (a service signature inside the key) come before the key=value rules.
    rule(
        "azure-identifiable-key",
        "Azure identifiable storage, Cosmos DB, Service Bus or Event Hubs key",
        "high",
        ("+ast", "acdb", "apim", "+aba", "+asb", "+aeh", "+arm", "aiot", "azca", "azeg"),
        r"(?<![A-Za-z0-9+/])([A-Za-z0-9+/]{76}(?:\+ASt|ACDb|APIM|\+ABa)[A-Za-z0-9+/]{5}[AQgw]=="
        r"|[A-Za-z0-9+/]{33}(?:\+ASb|\+AEh|\+ARm|AIoT|AzCa|AZEG)[A-P][A-Za-z0-9+/]{5}=)" + _B64_END,
        min_entropy=3.5,
        examples=(
            "storage_key: {b64:76}+ASt{b64:5}A==",
            'SERVICEBUS_KEY="{alnum:33}+ASb{=A|B|C}{alnum:5}="',
        ),
        counter_examples=(
            "storage_key: {b64:76}+ASt{b64:5}",
            "key = {alnum:30}+ASb",
        ),
        help="An Azure service key in the identifiable format (a fixed signature marks the service): full "
        "access to the storage account, database or messaging namespace. Regenerate it in the resource's "
        "Access keys or Shared access policies blade.",
    ),
    rule(
        "azure-service-key",
        "Azure identifiable API key (Azure OpenAI, AI services and others)",
        "high",
        ("jqqj9",),
        EDGE_LEFT + r"([A-Za-z0-9]{52}JQQJ9[9DH][A-Za-z0-9][A-L][A-Za-z0-9]{16}(?!AZDO)[A-Za-z][A-Za-z0-9]{7}"
        r"(?:[A-Za-z0-9]{2}==)?)" + r"(?![A-Za-z0-9+/=_-])",
        min_entropy=3.5,
        examples=(
            'AZURE_OPENAI_API_KEY="{alnum:52}JQQJ99{alnum:1}{=A|B|C|D|E|F|G|H|I|J|K|L}{alnum:16}ACOG{alnum:4}"',
            "Ocp-Apim-Subscription-Key: {alnum:52}JQQJ99{alnum:1}{=B|F|K}{alnum:16}ACOG{alnum:4}",
        ),
        counter_examples=(
            "key = {alnum:40}JQQJ99{alnum:10}",
            "AZURE_DEVOPS_PAT={alnum:52}JQQJ99{alnum:1}{=C}{alnum:16}AZDO{alnum:4}",
        ),
        help="An Azure API key in the identifiable 84-character format (Azure OpenAI, AI services, Web PubSub "
        "and others): it calls the resource with full key rights. Regenerate it in the resource's Keys and "
        "Endpoint blade and prefer Entra ID authentication.",
    ),
    rule(
        "azure-storage-account-key",
        "Azure Storage or Cosmos DB account key",
        "high",
        ("accountkey", "account_key", "storagekey", "storage_key"),
        assigned(r"account_?key|storage_?key", r"(?!" + _AZURITE_KEY + r")[A-Za-z0-9+/]{86}==", _B64_END),
        min_entropy=4.0,
        examples=(
            "DefaultEndpointsProtocol=https;AccountName=prodlogs;AccountKey={b64:86}==;"
            "EndpointSuffix=core.windows.net",
            'AZURE_STORAGE_KEY="{b64:86}=="',
        ),
        counter_examples=(
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEt"
            "lCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw{===};",
            "AccountKey={b64:40}==",
        ),
        help="A storage (or Cosmos DB) account key: full read, write and delete on every container, queue, "
        "table and share in the account. Rotate it under the account's Access keys (regenerate the leaked "
        "key) and move applications to Entra ID or SAS with short expiry.",
    ),
    rule(
        "azure-shared-access-key",
        "Azure Service Bus, Event Hubs, IoT Hub or SignalR shared access key",
        "high",
        ("accesskey",),
        r"(?i:(?<![a-z])(?:shared)?accesskey)[ \t]*=[ \t]*([A-Za-z0-9+/]{43}=)" + _B64_END,
        min_entropy=3.5,
        examples=(
            "Endpoint=sb://orders.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
            "SharedAccessKey={b64:43}=",
            "Endpoint=https://chat.service.signalr.net;AccessKey={b64:43}=;Version=1.0;",
        ),
        counter_examples=(
            "SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=<key>",
            "SharedAccessKey={b64:30}=",
        ),
        help="A shared access (SAS) key from a connection string: it signs tokens with every right of its "
        "policy (often Manage, Send and Listen). Regenerate the key on the policy under Shared access "
        "policies and prefer Entra ID authentication.",
    ),
    rule(
        "azure-sas-token",
        "Azure shared access signature (SAS) token",
        "high",
        ("sig=",),
        r"(?<![A-Za-z0-9_])sv=[0-9]{4}-[0-9]{2}-[0-9]{2}&[^\s\"'<>]{0,600}?[?&]sig=([A-Za-z0-9%+/]{40,150}={0,2})"
        r"(?![A-Za-z0-9%+/=])",
        min_entropy=3.5,
        examples=(
            "https://acct.blob.core.windows.net/c/f.zip?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2026-01-01T00:00:00Z"
            "&st=2025-01-01T00:00:00Z&spr=https&sig={b64:43}%3D",
            "BlobEndpoint=https://x.blob.core.windows.net/;SharedAccessSignature=sv=2021-08-06&ss=b&srt=sco"
            "&sp=rwdlac&se=2030-01-01T00:00:00Z&spr=https&sig={alnum:40}%2B{alnum:2}%3D",
        ),
        counter_examples=(
            "https://acct.blob.core.windows.net/c/f.zip?sv=2022-11-02&sr=b&sig=<signature>",
            "?sv=2022-11-02&sr=b&sp=r&sig={=XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX}%3D",
        ),
        help="A SAS URL grants its permissions on storage or a service until its expiry (se=) to anyone who "
        "has it. Revoke it by rotating the account key that signed it (or the stored access policy or user "
        "delegation key) and issue short-lived SAS instead.",
    ),
    rule(
        "azure-ad-client-secret",
        "Microsoft Entra ID (Azure AD) client secret",
        "high",
        ("7q~", "8q~"),
        r"(?<![A-Za-z0-9_~.-])([A-Za-z0-9_~.-]{3}(?:7Q~[A-Za-z0-9_~.-]{31}|8Q~[A-Za-z0-9_~.-]{34}))"
        r"(?![A-Za-z0-9_~.-])",
        min_entropy=3.0,
        mixed=True,
        examples=(
            'AZURE_CLIENT_SECRET="{alnum:3}8Q~{alnumunder:34}"',
            "client_secret: {alnum:3}7Q~{alnumdash:31}",
        ),
        counter_examples=(
            "client_secret: {alnum:3}8Q~{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
            "client_secret: {alnum:3}8Q~{alnum:20}",
        ),
        help="An app registration's client secret: with the tenant and client IDs it signs in as the "
        "application with all its granted API permissions. Delete it under App registrations > Certificates "
        "& secrets and add a new one (or switch to a certificate or federated credential).",
    ),
    # --- DigitalOcean, Heroku, Cloudflare ----------------------------------------------------------------
    # --- Alibaba, IBM, Scaleway, Linode, Vultr, Fastly, Netlify, Vercel -----------------------------------
    rule(
        "alibaba-access-key-id",
        "Alibaba Cloud AccessKey ID",
        "high",
        ("ltai",),
        EDGE_LEFT + r"(LTAI[A-Za-z0-9]{12,20})" + EDGE_RIGHT,
        min_entropy=3.0,
        mixed=True,
        examples=(
            "ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI{alnum:20}",
            'access_key_id: "LTAI{alnum:12}"',
        ),
        counter_examples=(
            "ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI{=xxxxxxxxxxxxxxxxxxxx}",
            "ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI{alnum:8}",
        ),
        help="The ID half of an Alibaba Cloud AccessKey pair; the secret is usually nearby. Disable and "
        "delete the AccessKey in the RAM console and create a new one.",
    ),
    rule(
        "alibaba-access-key-secret",
        "Alibaba Cloud AccessKey secret",
        "medium",
        (
            "accesskeysecret",
            "access_key_secret",
            "access_keysecret",
            "accesskey_secret",
            "access-key-secret",
            "alibaba",
            "aliyun",
            "alicloud",
        ),
        assigned(
            r"access_?key_?secret|access-key-secret|ali(?:baba|yun|cloud)[a-z0-9_.-]{0,20}?secret",
            r"[A-Za-z0-9]{30}",
        ),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET={alnum:30}",
            '"AccessKeySecret": "{alnum:30}",',
        ),
        counter_examples=(
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET=${{ALIYUN_SECRET}}",
            "access_key_secret = {alnum:20}",
        ),
        help="The secret half of an Alibaba Cloud AccessKey pair: it signs API calls as the RAM user. "
        "Disable and delete the AccessKey in the RAM console and create a new one.",
    ),
    rule(
        "ibm-cloud-api-key",
        "IBM Cloud API key",
        "medium",
        ("ibm", "ic_api_key"),
        assigned(r"ibm[a-z0-9_.-]{0,20}?api_?key|ic_api_key", r"[A-Za-z0-9_-]{44}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "IBMCLOUD_API_KEY={b64url:44}",
            'ic_api_key = "{b64url:44}"',
        ),
        counter_examples=(
            "IBMCLOUD_API_KEY=${{IBMCLOUD_API_KEY}}",
            "IBMCLOUD_API_KEY={b64url:32}",
        ),
        help="An IBM Cloud API key: it logs in to the account as the user or service ID that owns it. Delete "
        "it under Manage > Access (IAM) > API keys and create a new one.",
    ),
    # --- Supabase, Firebase ------------------------------------------------------------------------------
    rule(
        "firebase-cloud-messaging-server-key",
        "Firebase Cloud Messaging legacy server key",
        "high",
        ("apa91b",),
        EDGE_LEFT + r"(AAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{130,140})" + EDGE_RIGHT,
        min_entropy=4.0,
        examples=(
            "Authorization: key=AAAA{b64url:7}:APA91b{b64url:134}",
            'FCM_SERVER_KEY="AAAA{b64url:7}:APA91b{b64url:134}"',
        ),
        counter_examples=(
            'fcm_registration_token = "d{b64url:10}:APA91b{b64url:134}"',
            "FCM_SERVER_KEY=AAAA{b64url:7}:APA91b{b64url:30}",
        ),
        help="A legacy FCM server key: it sends push notifications to every device of the Firebase project. "
        "Delete it under Project settings > Cloud Messaging and move to the HTTP v1 API with service "
        "accounts.",
    ),
    # --- Tencent, Yandex ---------------------------------------------------------------------------------
    rule(
        "tencent-secret-id",
        "Tencent Cloud SecretId",
        "high",
        ("akid",),
        EDGE_LEFT + r"(AKID[A-Za-z0-9]{32})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "TENCENTCLOUD_SECRET_ID=AKID{alnum:32}",
            'secret_id: "AKID{alnum:32}"',
        ),
        counter_examples=(
            "TENCENTCLOUD_SECRET_ID=AKID{alnum:16}",
            "TENCENTCLOUD_SECRET_ID=AKID{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
        ),
        help="The ID half of a Tencent Cloud API key; the SecretKey is usually nearby. Disable and delete the "
        "key under CAM > API Keys and create a new one.",
    ),
    rule(
        "tencent-secret-key",
        "Tencent Cloud SecretKey",
        "medium",
        ("tencent", "qcloud"),
        assigned(r"(?:tencent(?:cloud)?|qcloud)[a-z0-9_.-]{0,20}?secret_?key", r"[A-Za-z0-9]{32}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "TENCENTCLOUD_SECRET_KEY={alnum:32}",
            'qcloud_secret_key = "{alnum:32}"',
        ),
        counter_examples=(
            "TENCENTCLOUD_SECRET_KEY=${{TENCENTCLOUD_SECRET_KEY}}",
            "TENCENTCLOUD_SECRET_KEY={alnum:20}",
        ),
        help="The secret half of a Tencent Cloud API key: it signs API calls as the CAM user. Disable and "
        "delete the key under CAM > API Keys.",
    ),
    rule(
        "yandex-cloud-api-key",
        "Yandex Cloud API key",
        "high",
        ("aqvn",),
        EDGE_LEFT + r"(AQVN[A-Za-z0-9_-]{35,38})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "YC_API_KEY=AQVN{b64url:36}",
            "Authorization: Api-Key AQVN{b64url:35}",
        ),
        counter_examples=("YC_API_KEY=AQVN{b64url:20}",),
        help="A Yandex Cloud service-account API key: it calls cloud APIs as the service account. Delete it "
        "under the service account's API keys in the management console.",
    ),
    rule(
        "yandex-cloud-iam-token",
        "Yandex Cloud IAM token",
        "medium",
        ("t1.9eu",),
        EDGE_LEFT + r"(t1\.9eu[A-Za-z0-9_-]{20,300}={0,2}\.[A-Za-z0-9_-]{86}={0,2})(?![A-Za-z0-9_=-])",
        min_entropy=3.5,
        examples=(
            "Authorization: Bearer t1.9euelZ{b64url:100}.{b64url:86}",
            'iam_token: "t1.9euelZ{b64url:120}==.{b64url:86}"',
        ),
        counter_examples=("Authorization: Bearer t1.9euelZ{b64url:40}",),
        help="A Yandex Cloud IAM token: it acts as its user or service account for up to 12 hours. Revoke the "
        "underlying credential (OAuth token, key or session) and let the token expire.",
    ),
)
