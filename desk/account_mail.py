"""Mails about staff accounts: invitation, password reset, a warning that someone is guessing the
password. Bilingual (Japanese first), like every staff mail; queued in :mod:`desk.mailqueue`."""

from __future__ import annotations

from datetime import datetime

from desk.mailqueue import new_mail
from desk.notices import SIGNATURE
from schemas.accounts import Account
from schemas.requests import OutboxMail

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "invite": {
        "ja": ("biocross のアカウントへの招待",
               "{name} 様\n\nbiocross の機関ポータルのアカウント「{username}」が作成されました。"
               "次のリンクを開き、パスワードを設定してください({hours} 時間有効、1 回のみ使用できます)。\n\n{link}\n"),
        "en": ("Your invitation to biocross",
               "Dear {name},\n\nAn account \"{username}\" of the biocross institution portal was created for you. "
               "Open this link and set your password (valid for {hours} hours, usable once).\n\n{link}\n"),
    },
    "reset": {
        "ja": ("biocross のパスワード再設定",
               "{name} 様\n\nアカウント「{username}」のパスワード再設定が依頼されました。"
               "次のリンクから新しいパスワードを設定してください({hours} 時間有効、1 回のみ)。"
               "心当たりがなければ、このメールは無視してください。\n\n{link}\n"),
        "en": ("Reset your biocross password",
               "Dear {name},\n\nSomeone asked to reset the password of the account \"{username}\". "
               "Set a new password with this link (valid for {hours} hours, usable once). "
               "If it was not you, ignore this mail.\n\n{link}\n"),
    },
    "login_throttled": {
        "ja": ("biocross: ログインの失敗が続いています",
               "{name} 様\n\nアカウント「{username}」へのログインが {failures} 回続けて失敗したため、"
               "ログインの試行を遅らせています(アカウントはロックされていません)。"
               "ご自身の操作でなければ、パスワードの変更をご検討ください。\n\n{portal}\n"),
        "en": ("biocross: repeated failed logins",
               "Dear {name},\n\n{failures} logins to the account \"{username}\" failed in a row, so further "
               "attempts are slowed down (the account is not locked). If this was not you, consider "
               "changing your password.\n\n{portal}\n"),
    },
}


def account_mail(kind: str, account: Account, now: datetime, **values: object) -> OutboxMail:
    """A bilingual mail to the account holder; ``values`` fill the template."""
    fields = {"name": account.display_name or account.username, "username": account.username, **values}
    ja_subject, ja_body = (part.format(**fields) for part in TEXTS[kind]["ja"])
    en_subject, en_body = (part.format(**fields) for part in TEXTS[kind]["en"])
    body = ja_body + SIGNATURE["ja"] + "\n" + "=" * 40 + "\n\n" + en_body + SIGNATURE["en"]
    return new_mail(kind, [account.email], "ja+en", f"[biocross] {ja_subject} / {en_subject}", body, now)
