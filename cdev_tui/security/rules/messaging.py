"""Messaging, social and mail: Slack, Discord, Telegram, Facebook, Twitter (X), Microsoft Teams, Mattermost, Twilio, Vonage,
Pusher, SendGrid, Mailgun, Mailchimp, Postmark, Brevo.

Order matters: Slack configuration tokens (``xoxe.xoxp-``) hold a user-token prefix, so their rule comes before
the broad Slack token rule.
"""

from __future__ import annotations

from cdev_tui.security.rules.base import EDGE_LEFT, EDGE_RIGHT, Rule, rule
from cdev_tui.security.rules.keys import UUID, UUID_EXAMPLE, assigned

RULES: tuple[Rule, ...] = (
    rule(
        "slack-config-token",
        "Slack app configuration access or refresh token",
        "high",
        ("xoxe",),
        EDGE_LEFT
        + r"(xoxe\.xox[bp]-[0-9]-[A-Za-z0-9]{140,200}|xoxe-[0-9]-[A-Za-z0-9]{120,200})"
        + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "SLACK_CONFIG_TOKEN=xoxe.xoxp-1-{alnum:164}",
            '  "refresh_token": "xoxe-1-{alnum:146}",',
        ),
        counter_examples=(
            "SLACK_CONFIG_TOKEN=xoxe.xoxp-1-{alnum:30}",
            "SLACK_CONFIG_TOKEN=xoxe.xoxp-1-...",
        ),
        help="A Slack app configuration token (xoxe.xoxp-) or its refresh token (xoxe-): it creates, changes "
        "and deletes the workspace's apps and their manifests. Revoke it with the tooling.tokens API or "
        "regenerate it under Your App Configuration Tokens on api.slack.com/apps.",
    ),
    rule(
        "slack-app-token",
        "Slack app-level token",
        "high",
        ("xapp-",),
        EDGE_LEFT + r"(xapp-[0-9]-[A-Z0-9]{8,14}-[0-9]{10,16}-[0-9a-f]{64})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "SLACK_APP_TOKEN=xapp-1-A{uppernum:10}-{digits:13}-{hex:64}",
            'app = App(token=bot_token, app_token="xapp-1-A{uppernum:10}-{digits:13}-{hex:64}")',
        ),
        counter_examples=(
            "SLACK_APP_TOKEN=xapp-1-A{uppernum:10}-{digits:13}-{hex:16}",
            "SLACK_APP_TOKEN=xapp-...",
        ),
        help="A Slack app-level token (xapp-): it opens Socket Mode connections that receive the app's events "
        "and interactions and, with its scopes, reads the app's authorisations. Revoke it under Basic "
        "Information > App-Level Tokens of the app on api.slack.com/apps and generate a new one.",
    ),
    rule(
        "slack-token",
        "Slack bot, user or workspace token",
        "high",
        ("xox",),
        EDGE_LEFT
        + r"(?<!xoxe\.)(xox[baprs]-(?=[0-9A-Za-z-]{20})[0-9A-Za-z]{1,64}(?:-[0-9A-Za-z]{1,64}){1,6})"
        + EDGE_RIGHT,
        min_entropy=3.0,
        mixed=True,
        examples=(
            "SLACK_BOT_TOKEN=xoxb-{digits:12}-{digits:13}-{alnum:24}",
            'client = WebClient(token="xoxp-{digits:12}-{digits:12}-{digits:13}-{hex:32}")',
            "curl -H 'Authorization: Bearer xoxb-{digits:12}-{digits:13}-{alnum:24}' https://slack.com/api/auth.test",
            "  slack_token: xoxa-2-{digits:12}-{digits:12}-{digits:13}-{hex:64}",
        ),
        counter_examples=(
            "SLACK_BOT_TOKEN=xoxb-{=xxxxxxxxxxxx}-{=xxxxxxxxxxxxx}-{=xxxxxxxxxxxxxxxxxxxxxxxx}",
            "SLACK_BOT_TOKEN=xoxb-your-bot-token",
            "SLACK_BOT_TOKEN=${{SLACK_BOT_TOKEN}}",
            "SLACK_CONFIG_TOKEN=xoxe.xoxp-1-{alnum:30}",
        ),
        help="A Slack OAuth token: bot (xoxb-), user (xoxp-), legacy workspace (xoxa-, xoxr-) or session "
        "(xoxs-). It reads and posts messages, files and users with the token's scopes. Revoke it with the "
        "auth.revoke API or reinstall the app (OAuth & Permissions) on api.slack.com/apps; remove user "
        "tokens under the workspace's connected apps.",
    ),
    rule(
        "slack-webhook",
        "Slack incoming webhook or workflow trigger URL",
        "high",
        ("hooks.slack.com",),
        r"https?://hooks\.slack\.com/(?:services|workflows|triggers)/"
        r"((?:[A-Za-z0-9_-]{6,64}/){1,3}[A-Za-z0-9_-]{16,64})",
        min_entropy=3.0,
        examples=(
            "SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T{uppernum:8}/B{uppernum:10}/{alnum:24}",
            'webhook_url: "https://hooks.slack.com/triggers/T{uppernum:8}/{digits:13}/{hex:32}"',
        ),
        counter_examples=(
            "SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T00000000/B00000000/{=XXXXXXXXXXXXXXXXXXXXXXXX}",
            "Incoming webhooks post to https://hooks.slack.com/services/...",
        ),
        help="A Slack incoming webhook (or Workflow Builder trigger) URL: anyone holding it can post messages "
        "into its channel as the app. Remove the webhook under Incoming Webhooks of the app on "
        "api.slack.com/apps (or delete the workflow's trigger) and create a new one.",
    ),
    rule(
        "discord-bot-token",
        "Discord bot token",
        "high",
        # a bot token starts with the base64 of the bot's id (M, N or O); "Bot " is how it is sent
        ("discord", "client.run(", "bot.run(", "bot m", "bot n", "bot o"),
        EDGE_LEFT + r"([MNO][A-Za-z0-9_-]{22,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "DISCORD_TOKEN=MT{alnum:24}.G{b64url:5}.{b64url:38}",
            'client.run("OD{alnum:22}.{b64url:6}.{b64url:27}")',
            "curl -H 'Authorization: Bot MT{alnum:24}.G{b64url:5}.{b64url:38}' https://discord.com/api/v10/users/@me",
            'req.Header.Set("Authorization", "Bot NT{alnum:24}.G{b64url:5}.{b64url:38}")',
        ),
        counter_examples=(
            "DISCORD_CLIENT_ID={digits:19}",
            "DISCORD_TOKEN=MT{alnum:24}.G{b64url:5}",
            "DISCORD_TOKEN=${{DISCORD_TOKEN}}",
        ),
        help="A Discord bot token: it logs in as the bot and acts in every server the bot is in, with its "
        "permissions. Reset it under Bot > Reset Token of the application in the Discord Developer Portal.",
    ),
    rule(
        "discord-webhook",
        "Discord webhook URL",
        "high",
        ("discord.com/api/", "discordapp.com/api/"),
        r"https?://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/(?:v[0-9]{1,2}/)?webhooks/"
        r"([0-9]{17,20}/[A-Za-z0-9_-]{60,68})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/{digits:19}/{b64url:68}",
            'requests.post("https://discordapp.com/api/webhooks/{digits:18}/{b64url:68}", json=payload)',
        ),
        counter_examples=(
            "DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/{digits:19}/{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
            "See https://discord.com/api/webhooks/<id>/<token> in the docs.",
        ),
        help="A Discord webhook URL: anyone holding it can post (and edit or delete the webhook's) messages "
        "in its channel. Delete the webhook under Server Settings > Integrations > Webhooks and create a new "
        "one.",
    ),
    rule(
        "telegram-bot-token",
        "Telegram bot token",
        "high",
        # The bot's numeric id, a colon, then 35 characters that start with "AA" in every token issued for
        # years: that part names the format on its own, whatever the variable is called (TG_TOKEN, BOT_TOKEN).
        ("telegram", "telebot", "tg_bot", "tgbot", ":aa"),
        r"(?:" + EDGE_LEFT + r"|(?<=/bot))([0-9]{5,16}:A[A-Za-z0-9_-]{34})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "TELEGRAM_BOT_TOKEN={digits:10}:AA{b64url:33}",
            'requests.get(f"https://api.telegram.org/bot{digits:10}:AA{b64url:33}/sendMessage", params=p)',
            'bot = telebot.TeleBot("{digits:9}:AA{b64url:33}")',
            "ARG TG_TOKEN={digits:10}:AA{b64url:33}",
            '  bot_token: "{digits:10}:AA{b64url:33}"',
        ),
        counter_examples=(
            "TELEGRAM_BOT_TOKEN={digits:10}:AA{b64url:12}",
            "TELEGRAM_BOT_TOKEN=${{TELEGRAM_BOT_TOKEN}}",
            "TELEGRAM_CHAT_ID=-{digits:13}",
            "mac = 00:1b:aa:{hex:2}:{hex:2}:{hex:2}",
            "BOT_TOKEN={digits:10}:AA{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
        ),
        help="A Telegram bot token: it controls the bot through the Bot API, reading the messages sent to it "
        "and posting as it. Revoke it with /revoke (or /token for a new one) in a chat with @BotFather.",
    ),
    rule(
        "facebook-access-token",
        "Facebook (Meta) Graph API access token",
        "high",
        ("eaa",),
        # user, page and system-user tokens start with "EAA" and run on for well over a hundred characters
        r"(?<![A-Za-z0-9+/_-])(EAA[A-Za-z0-9]{100,400})(?![A-Za-z0-9+/=_-])",
        min_entropy=4.0,
        mixed=True,
        examples=(
            "FB_ACCESS_TOKEN=EAAG{alnum:170}",
            'private static final String FB_PAGE_TOKEN = "EAAB{alnum:180}";',
            "curl 'https://graph.facebook.com/v19.0/me?access_token=EAAJ{alnum:160}'",
        ),
        counter_examples=(
            "FB_ACCESS_TOKEN=EAAG{alnum:30}",
            "image = EAAA{b64:100}+{b64:40}/{b64:40}==",
        ),
        help="A Facebook (Meta) Graph API access token: it acts for the user, page or system user it was "
        "issued to, within its permissions, until it expires (page and system-user tokens may never expire). "
        "Invalidate it by resetting the app secret or removing the app's access, and check the app's activity.",
    ),
    rule(
        "twitter-bearer-token",
        "Twitter (X) app bearer token",
        "high",
        # An app-only bearer token starts with a run of "A" (the base64 of zero bytes before the app id) and
        # goes on as URL-encoded base64 (%2B, %2F, %3D): a shape no variable name is needed to recognise.
        ("aaaaaaaaaaaaaaaaaaaa",),
        r"(?<![A-Za-z0-9%+/_-])(A{20}[A-Za-z0-9%]{80,110})(?![A-Za-z0-9%+/=_-])",
        min_entropy=4.0,
        mixed=True,
        examples=(
            "TWITTER_BEARER_TOKEN=AAAAAAAAAAAAAAAAAAAAA{alnum:8}AAAAAAA{alnum:16}%2B{alnum:12}%3D{alnum:50}",
            'client = tweepy.Client(bearer_token="AAAAAAAAAAAAAAAAAAAAAA{alnum:8}AAAAAAAA{alnum:12}%2F'
            '{alnum:14}%3D{alnum:50}")',
            "curl -H 'Authorization: Bearer AAAAAAAAAAAAAAAAAAAAAA{alnum:8}AAAAAAAA{alnum:16}%3D{alnum:50}' "
            "https://api.x.com/2/tweets/search/recent",
        ),
        counter_examples=(
            "TWITTER_BEARER_TOKEN=AAAAAAAAAAAAAAAAAAAAAA%2FAAAAAAAAAA%3D{=AAAAAAAAAAAAAAAAAAAA}",
            'icon = "data:image/png;base64,AAAAAAAAAAAAAAAAAAAAAA{b64:60}+{b64:30}/{b64:40}=="',
            "TWITTER_BEARER_TOKEN=AAAAAAAAAAAAAAAAAAAAAA{alnum:20}",
            "zeros = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ),
        help="A Twitter (X) API bearer token for app-only authentication: it reads tweets, users and search "
        "results as the app, spending its rate limits and quota. Regenerate it under Keys and tokens of the "
        "app in the X developer portal, which invalidates the old one.",
    ),
    rule(
        "teams-webhook",
        "Microsoft Teams incoming webhook URL",
        "high",
        ("webhook.office.com", "outlook.office.com/webhook"),
        r"https://(?:[a-z0-9-]{1,64}\.webhook|outlook)\.office\.com/webhook(?:b2)?/"
        r"("
        + UUID
        + "@"
        + UUID
        + r"/IncomingWebhook/[0-9a-f]{32}/"
        + UUID
        + r"(?:/V2[A-Za-z0-9_-]{30,80})?)"
        + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "TEAMS_WEBHOOK_URL=https://{lower:8}.webhook.office.com/webhookb2/"
            + UUID_EXAMPLE
            + "@"
            + UUID_EXAMPLE
            + "/IncomingWebhook/{hex:32}/"
            + UUID_EXAMPLE
            + "/V2{b64url:46}",
            'webhook: "https://outlook.office.com/webhook/'
            + UUID_EXAMPLE
            + "@"
            + UUID_EXAMPLE
            + "/IncomingWebhook/{hex:32}/"
            + UUID_EXAMPLE
            + '"',
        ),
        counter_examples=(
            "TEAMS_WEBHOOK_URL=https://{lower:8}.webhook.office.com/webhookb2/<group-id>@<tenant-id>/IncomingWebhook/",
            "TEAMS_WEBHOOK_URL=https://{lower:8}.webhook.office.com/webhookb2/"
            + UUID_EXAMPLE
            + "@"
            + UUID_EXAMPLE,
        ),
        help="A Microsoft Teams incoming webhook URL: anyone holding it can post messages and cards into its "
        "channel. Remove the Incoming Webhook connector (or the Workflows flow) from the channel's "
        "Connectors settings and create a new one.",
    ),
    rule(
        "mattermost-webhook",
        "Mattermost incoming webhook URL",
        "medium",
        ("mattermost",),
        r"(?i:mattermost)[^\n]{0,200}?/hooks/([a-z0-9]{26})" + EDGE_RIGHT,
        min_entropy=3.5,
        mixed=True,
        examples=(
            "MATTERMOST_WEBHOOK_URL=https://chat.{lower:6}.io/hooks/{lowernum:26}",
            'url: "https://mattermost.{lower:6}.com/hooks/{lowernum:26}"',
        ),
        counter_examples=(
            "MATTERMOST_WEBHOOK_URL=https://mattermost.{lower:6}.com/hooks/{=xxxxxxxxxxxxxxxxxxxxxxxxxx}",
            "MATTERMOST_WEBHOOK_URL=https://mattermost.{lower:6}.com/hooks/${{HOOK_ID}}",
        ),
        help="A Mattermost incoming webhook URL: anyone holding it can post into its channel, often under any "
        "user name and icon. Delete the webhook under Integrations > Incoming Webhooks of the team and create "
        "a new one.",
    ),
    rule(
        "mattermost-access-token",
        "Mattermost personal access or bot token",
        "medium",
        ("mattermost",),
        assigned(r"mattermost[a-z0-9_.-]{0,20}?(?:token|key)", r"[a-z0-9]{26}"),
        min_entropy=3.5,
        mixed=True,
        examples=(
            "MATTERMOST_TOKEN={lowernum:26}",
            'mattermost_bot_token: "{lowernum:26}"',
        ),
        counter_examples=(
            "MATTERMOST_TOKEN=${{MATTERMOST_TOKEN}}",
            "MATTERMOST_TEAM_ID={lowernum:26}",
        ),
        help="A Mattermost personal access token or bot account token: it calls the Mattermost API as its "
        "user or bot, reading and posting in every channel it can reach. Revoke it under Profile > Security > "
        "Personal Access Tokens, or Integrations > Bot Accounts for a bot.",
    ),
    rule(
        "twilio-api-key",
        "Twilio API key SID",
        "medium",
        ("twilio",),
        EDGE_LEFT + r"(SK[0-9a-f]{32})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "TWILIO_API_KEY=SK{hex:32}",
            "client = twilio.rest.Client('SK{hex:32}', api_secret, account_sid)",
        ),
        counter_examples=(
            "TWILIO_ACCOUNT_SID=AC{hex:32}",
            "TWILIO_API_KEY=SK{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
            "TWILIO_API_KEY=SK{hex:16}",
        ),
        help="A Twilio API key SID (SK): the user name half of an API key, which with its secret sends "
        "messages and calls billed to the account. Look for the secret nearby; delete the key under Account > "
        "API keys & tokens in the Twilio console.",
    ),
    rule(
        "twilio-auth-token",
        "Twilio auth token or API key secret",
        "high",
        ("twilio",),
        assigned(
            r"twilio[a-z0-9_.-]{0,20}?(?:auth[_.-]?token|secret)|AC[0-9a-f]{32}|SK[0-9a-f]{32}",
            r"[A-Za-z0-9]{32}",
        ),
        min_entropy=3.0,
        mixed=True,
        examples=(
            "TWILIO_AUTH_TOKEN={hex:32}",
            "curl -X POST https://api.twilio.com/2010-04-01/Accounts/AC{hex:32}/Messages.json "
            "-u AC{hex:32}:{hex:32}",
            'twilio_api_secret: "{alnum:32}"',
        ),
        counter_examples=(
            "TWILIO_ACCOUNT_SID=AC{hex:32}",
            "TWILIO_AUTH_TOKEN=${{TWILIO_AUTH_TOKEN}}",
            "TWILIO_AUTH_TOKEN={hex:16}",
        ),
        help="A Twilio account auth token (or an API key's secret): with the account SID it sends SMS, "
        "places calls and reads message logs billed to the account. Rotate the auth token (create a secondary "
        "token, then promote it) under Account > API keys & tokens in the Twilio console, or delete the API "
        "key.",
    ),
    rule(
        "vonage-api-secret",
        "Vonage (Nexmo) API secret",
        "medium",
        ("vonage", "nexmo"),
        assigned(r"(?:vonage|nexmo)[a-z0-9_.-]{0,20}?secret", r"[A-Za-z0-9]{16}"),
        min_entropy=3.0,
        mixed=True,
        examples=(
            "VONAGE_API_SECRET={alnum:16}",
            'nexmo_api_secret: "{alnum:16}"',
        ),
        counter_examples=(
            "VONAGE_API_KEY={hex:8}",
            "VONAGE_API_SECRET=${{VONAGE_API_SECRET}}",
        ),
        help="A Vonage (formerly Nexmo) API secret: with the API key it sends SMS and places calls billed to "
        "the account and manages its numbers. Rotate it under API Settings in the Vonage API dashboard (add a "
        "second secret, deploy it, then delete the old one).",
    ),
    rule(
        "pusher-app-secret",
        "Pusher Channels app secret",
        "medium",
        ("pusher",),
        assigned(r"pusher[a-z0-9_.-]{0,20}?secret", r"[0-9a-f]{20}"),
        min_entropy=3.0,
        mixed=True,
        examples=(
            "PUSHER_APP_SECRET={hex:20}",
            'pusher_secret: "{hex:20}"',
        ),
        counter_examples=(
            "PUSHER_APP_KEY={hex:20}",
            "PUSHER_APP_SECRET=${{PUSHER_APP_SECRET}}",
        ),
        help="A Pusher Channels app secret: it signs API calls and channel authorisations, so whoever holds it "
        "can publish to any channel and join private and presence channels as any user. Create a new key "
        "under App Keys of the app in the Pusher dashboard and delete the old one.",
    ),
    rule(
        "sendgrid-api-key",
        "SendGrid API key",
        "high",
        ("sg.",),
        EDGE_LEFT + r"(SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "SENDGRID_API_KEY=SG.{b64url:22}.{b64url:43}",
            "curl https://api.sendgrid.com/v3/mail/send -H 'Authorization: Bearer SG.{b64url:22}.{b64url:43}'",
        ),
        counter_examples=(
            "SENDGRID_API_KEY=SG.{b64url:22}",
            "SENDGRID_API_KEY=SG.{=xxxxxxxxxxxxxxxxxxxxxx}.{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
        ),
        help="A Twilio SendGrid API key: it sends mail from the account's verified domains and, with its "
        "scopes, reads contacts and changes settings. Delete it under Settings > API Keys in SendGrid and "
        "create a new one.",
    ),
    rule(
        "mailgun-api-key",
        "Mailgun API key",
        "high",
        ("mailgun",),
        EDGE_LEFT + r"(key-[0-9a-f]{32}|[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "MAILGUN_API_KEY=key-{hex:32}",
            "curl -s --user 'api:{hex:32}-{hex:8}-{hex:8}' https://api.mailgun.net/v3/mg.{lower:6}.com/messages",
        ),
        counter_examples=(
            "MAILGUN_PUBLIC_KEY=pubkey-{hex:32}",
            "MAILGUN_API_KEY=key-{hex:12}",
            "MAILGUN_API_KEY=key-{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}",
        ),
        help="A Mailgun private API key (key- or the newer hex key): it sends mail from the account's domains "
        "and reads logs, routes and suppressions. Delete it under API Security (API keys) in the Mailgun "
        "dashboard and create a new one.",
    ),
    rule(
        "mailchimp-api-key",
        "Mailchimp API key",
        "high",
        ("-us",),
        EDGE_LEFT + r"([0-9a-f]{32}-us[0-9]{1,2})" + EDGE_RIGHT,
        min_entropy=3.0,
        examples=(
            "MAILCHIMP_API_KEY={hex:32}-us{=6|14|21}",
            "mailchimp.setConfig({{ apiKey: '{hex:32}-us{=6|14|21}', server: 'us21' }});",
        ),
        counter_examples=(
            "MAILCHIMP_API_KEY={hex:12}-us6",
            "MAILCHIMP_API_KEY={=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}-us6",
            "MAILCHIMP_SERVER_PREFIX=us21",
        ),
        help="A Mailchimp Marketing API key: it reads and changes the account's audiences, contacts and "
        "campaigns and sends campaigns. Revoke it under Profile > Extras > API keys in Mailchimp and create a "
        "new one.",
    ),
    rule(
        "postmark-token",
        "Postmark server or account API token",
        "medium",
        ("postmark",),
        assigned(r"postmark[a-z0-9_.-]{0,30}?(?:token|key)|x-postmark-(?:server|account)-token", UUID),
        min_entropy=3.0,
        examples=(
            "POSTMARK_SERVER_TOKEN=" + UUID_EXAMPLE,
            "curl https://api.postmarkapp.com/email -H 'X-Postmark-Server-Token: " + UUID_EXAMPLE + "'",
            'postmark_api_key: "' + UUID_EXAMPLE + '"',
        ),
        counter_examples=(
            "POSTMARK_SERVER_TOKEN=POSTMARK_API_TEST",
            "POSTMARK_SERVER_TOKEN=${{POSTMARK_SERVER_TOKEN}}",
            "POSTMARK_MESSAGE_STREAM=outbound",
        ),
        help="A Postmark server token (sends mail and reads the server's messages and bounces) or account "
        "token (manages servers, domains and sender signatures). Regenerate it on the server's API Tokens tab "
        "(or Account > API Tokens) in Postmark.",
    ),
    rule(
        "brevo-api-key",
        "Brevo (Sendinblue) API or SMTP key",
        "high",
        ("xkeysib-", "xsmtpsib-"),
        EDGE_LEFT + r"((?:xkeysib|xsmtpsib)-[0-9a-f]{64}-[A-Za-z0-9]{16})" + EDGE_RIGHT,
        min_entropy=3.5,
        examples=(
            "BREVO_API_KEY=xkeysib-{hex:64}-{alnum:16}",
            "  smtp_password: xsmtpsib-{hex:64}-{alnum:16}",
        ),
        counter_examples=(
            "BREVO_API_KEY=xkeysib-{hex:64}",
            "BREVO_API_KEY=xkeysib-{=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}-{alnum:16}",
        ),
        help="A Brevo (formerly Sendinblue) API key (xkeysib-) or SMTP key (xsmtpsib-): it sends mail and "
        "SMS from the account and reads and changes its contacts and campaigns. Delete it under SMTP & API "
        "in the Brevo account settings and create a new one.",
    ),
)
