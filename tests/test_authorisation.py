"""Who may do what, for every route of the app: one matrix, generated against the URL map.

MATRIX below is the single place where the expected outcome of every (route, role) is
written down. Each heading names the object the rows under it act on; each row is a
request and the status each of the five roles gets (the columns vis, cit, mem, pro, sec):

    visitor      not logged in
    citizen      a registered account, nothing more
    member       a member who is not a proposer of the proposal
    proposer     a member on the proposal's proposer list (with no proposal in the row: a
                 member like any other)
    secretariat  a secretariat account as the demo has it (member and secretariat), not a
                 proposer of the proposal

A cell is the HTTP status: 200 a page, 302 a visitor sent to /login, 303 a POST that
succeeded (or a comment's own address) and sends the browser on to a local page, 403 a
wrong role, 404 a proposal (or comment, or link) the caller may not see or that does not
exist, 409 a wrong state, 422 a refused form. `200+` and `200-` are 200 where the answer
does (+) or does not (-) show the object: the proposal's title, or the comment's text. In a
request, `{p}` is the row's proposal, `{c}` its comment, `{u}` the account's id, and
`content` stands for a complete set of proposal fields.

A cell acts on objects built for it: afresh after a POST that succeeded (it may have
changed them), and for every caller where the object depends on who calls (an invitation,
one's own comment). A GET or a refused POST changes nothing (PRODUCT.md), so the next cell
may use the same objects; if the app broke that rule, a later cell would show it.

The test fails when a route of the URL map has no row (every method, and every value of an
`<any(...)>` part, counts as a route of its own), and when a row names a route that no
longer exists. One case lies outside the five columns and has its own test at the end: a
proposer whose membership has been revoked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import count, product
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import AnyConverter, RequestRedirect

from app import create_app
from app.accounts import services as account_services
from app.accounts.mails import unsubscribe_token
from app.accounts.models import User
from app.amendments import services as amendment_services
from app.catalogue import files as catalogue_files
from app.cli.demo import DEMO_USERS
from app.comments import services as comment_services
from app.core import pdf_files
from app.core.database import utcnow
from app.core.extensions import db
from app.proposals import participation
from app.proposals import services as proposal_services
from app.proposals.lifecycle import (
    CATALOGUE,
    DRAFT,
    HEARING,
    LAPSED,
    REJECTED,
    RETIRED,
    REVISION,
    SUBMITTED,
    SUPPORT,
    WITHDRAWN,
)
from app.proposals.models import Proposal, Topic
from tests.plugins.accounts import Account
from tests.plugins.database import empty_all_tables, forget_made_pdfs
from tests.support.forms import csrf_token
from tests.support.proposals import CONTENT, PATHS

ROLES = ("visitor", "citizen", "member", "proposer", "secretariat")

MATRIX = """
#  request                                                         vis  cit  mem  pro  sec

The site itself:
   GET  /                                                          200  200  200  200  200
   GET  /healthz                                                   200  200  200  200  200
   GET  /static/style.css                                          200  200  200  200  200
   POST /language lang=en next=//evil.example/                     303  303  303  303  303
   GET  /proposals                                                 200  200  200  200  200
   GET  /catalogue                                                 200  200  200  200  200
   GET  /proposals/new                                             302  403  200  200  200
   POST /proposals/new content                                     403  403  303  303  303
   GET  /register                                                  200  200  200  200  200
   GET  /register/sent                                             200  200  200  200  200
   GET  /account                                                   302  200  200  200  200
   POST /account action=name name=Nyt-Navn                         403  303  303  303  303
   POST /account action=name name=                                 403  422  422  422  422
   POST /account action=email email=ny.adresse.{n}@example.org current_password=et-langt-kodeord
                                                                   403  303  303  303  303
   POST /account action=email email=ny.adresse.{n}@example.org current_password=forkert-kodeord
                                                                   403  422  422  422  422
   # Changed to the same password: the caller's session goes on, with the new generation.
   POST /account action=password current_password=et-langt-kodeord password=et-langt-kodeord
                                                                   403  303  303  303  303
   POST /account action=password current_password=forkert-kodeord password=et-langt-kodeord
                                                                   403  422  422  422  422
   POST /account action=language lang=da                           403  303  303  303  303
   POST /account action=everything                                 403  400  400  400  400
   GET  /login                                                     200  200  200  200  200
   POST /logout                                                    303  303  303  303  303
   GET  /password/reset                                            200  200  200  200  200
   GET  /secretariat                                               403  403  403  403  200
   GET  /secretariat/members                                       403  403  403  403  200
   GET  /secretariat/topics                                        403  403  403  403  200
   POST /secretariat/topics action=create name=Emne-{n}            403  403  403  403  303
   GET  /secretariat/log                                           403  403  403  403  200
   GET  /secretariat/settings                                      403  403  403  403  200
   POST /secretariat/settings name=Fremtidspartiet                 403  403  403  403  303
   POST /secretariat/settings contact_email=ikke-en-adresse        403  403  403  403  422
   GET  /privacy                                                   200  200  200  200  200
   GET  /guidelines                                                200  200  200  200  200
   GET  /api/v1/proposals                                          200  200  200  200  200
   GET  /api/v1/openapi.json                                       200  200  200  200  200
   GET  /feeds/proposals.atom                                      200  200  200  200  200
   GET  /data                                                      200  200  200  200  200
   GET  /data/events.csv                                           200  200  200  200  200
   GET  /data/support-daily.csv                                    200  200  200  200  200
   GET  /data/stances-daily.csv                                    200  200  200  200  200
   GET  /data/amendments.csv                                       200  200  200  200  200
   GET  /notifications                                             302  200  200  200  200
   GET  /notifications?page=2                                      302  200  200  200  200
   POST /notifications/read                                        403  303  303  303  303
   POST /notifications/read id=1 next=//evil.example/              403  404  404  404  404
   GET  /account/notifications                                     302  200  200  200  200
   POST /account/notifications email=weekly new_hearings=y         403  303  303  303  303
   POST /account/notifications email=hourly                        403  422  422  422  422
   GET  /account/data                                              302  200  200  200  200
   # Deleting with the right password ends the caller's account: tests/privacy/test_erasure.py.
   POST /account/delete password=not-my-password                   403  422  422  422  422

A topic:
   GET  /proposals?topic={t}                                       200  200  200  200  200
   GET  /catalogue?topic={t}                                       200  200  200  200  200
   POST /topics/{t}/follow                                         403  303  303  303  303
   POST /topics/{t}/unfollow                                       403  303  303  303  303

A fresh citizen's account (its email, password, id and a reset link):
   POST /login email={email} password={password} next=//evil.example/
                                                                   303  303  303  303  303
   GET  /password/reset/{token}                                    200  200  200  200  200
   POST /password/reset/{token} password=et-nyt-langt-kodeord      303  303  303  303  303
   GET  /unsubscribe/{unsubscribe}                                 200  200  200  200  200
   POST /unsubscribe/{unsubscribe}                                 303  303  303  303  303
   POST /secretariat/members action=grant role=member user_id={u}  403  403  403  403  303
   POST /secretariat/members action=grant role=secretariat user_id={u}
                                                                   403  403  403  403  303

An email address that has no account:
   POST /register name=Ny-Person email={new_email} password=et-langt-kodeord
                                                                   303  303  303  303  303
   POST /password/reset email={new_email}                          303  303  303  303  303
   POST /secretariat/members action=import csv={new_email},Ny-Person,member
                                                                   403  403  403  403  303

A fresh registration and a fresh citizen's email change, each waiting for its link:
   GET  /register/confirm/{confirm}                                200  200  200  200  200
   POST /register/confirm/{confirm} password=forkert-kodeord       422  422  422  422  422
   POST /register/confirm/{confirm} password=et-langt-kodeord      303  303  303  303  303
   GET  /account/email/{email_change}                              200  200  200  200  200
   POST /account/email/{email_change}                              303  303  303  303  303

An account link that does not work:
   GET  /register/confirm/not-a-token                              404  404  404  404  404
   POST /register/confirm/not-a-token                              404  404  404  404  404
   GET  /account/email/not-a-token                                 404  404  404  404  404
   POST /account/email/not-a-token                                 404  404  404  404  404

A password-reset link that does not work:
   GET  /password/reset/not-a-token                                404  404  404  404  404
   POST /password/reset/not-a-token password=et-nyt-langt-kodeord  404  404  404  404  404
   GET  /unsubscribe/not-a-token                                   404  404  404  404  404
   POST /unsubscribe/not-a-token List-Unsubscribe=One-Click        404  404  404  404  404

A proposal id, a comment id, a topic id and an amendment id that do not exist:
   GET  /amendments/{a}                                            404  404  404  404  404
   GET  /amendments/{a}/edit                                       302  404  404  404  404
   POST /amendments/{a}/back                                       403  404  404  404  404
   POST /amendments/{a}/decide verdict=adopted                     403  404  404  404  404
   POST /proposals/{p}/amendments/new amendment                    403  404  404  404  404
   GET  /proposals/{p}                                             404  404  404  404  404
   GET  /proposals/{p}/edit                                        302  404  404  404  404
   POST /proposals/{p}/transition to=withdrawn                     403  404  404  404  404
   GET  /api/v1/proposals/{p}                                      404  404  404  404  404
   GET  /api/v1/proposals/{p}/amendments                           404  404  404  404  404
   GET  /proposals/{p}.pdf                                         404  404  404  404  404
   POST /comments/{c}/like                                         403  404  404  404  404
   GET  /comments/{c}                                              404  404  404  404  404
   POST /comments/{c}/answer verdict=adopted                       403  404  404  404  404
   GET  /proposals/{p}/hearing-memo                                404  404  404  404  404
   POST /proposals/{p}/follow                                      403  404  404  404  404
   POST /topics/{t}/follow                                         403  404  404  404  404

A draft:
   GET  /proposals/{p}                                             404  404  404  200  200
   GET  /api/v1/proposals/{p}/amendments                           404  404  404  200  200
   GET  /proposals/{p}/hearing-memo                                404  404  404  404  404
   GET  /proposals/{p}/hearing-memo.pdf                            404  404  404  404  404
   GET  /proposals/{p}/versions                                    404  404  404  200  200
   GET  /proposals/{p}/saves/0                                     404  404  404  200  200
   GET  /proposals/{p}/saves/7                                     404  404  404  404  404
   GET  /proposals/{p}.pdf                                         404  404  404  200  200
   GET  /catalogue                                                 200- 200- 200- 200- 200-
   GET  /api/v1/proposals/{p}                                      404  404  404  200  200
   GET  /proposals?state=draft                                     200- 200- 200- 200+ 200+
   GET  /api/v1/proposals?state=draft                              200- 200- 200- 200+ 200+
   GET  /feeds/proposals.atom                                      200- 200- 200- 200- 200-
   GET  /data/proposals.csv                                        200- 200- 200- 200- 200-
   GET  /proposals/{p}/edit                                        302  404  404  200  403
   POST /proposals/{p}/edit content                                403  404  404  303  403
   POST /proposals/{p}/transition to=submitted                     403  404  404  303  403
   POST /proposals/{p}/transition to=withdrawn                     403  404  404  303  303
   POST /proposals/{p}/transition to=hearing                       403  404  404  409  409
   POST /proposals/{p}/proposers email={outsider}                  403  404  404  303  403
   POST /proposals/{p}/invitation/accept                           403  404  404  409  409
   POST /proposals/{p}/invitation/decline                          403  404  404  409  409
   POST /proposals/{p}/support                                     403  404  404  403  409
   POST /proposals/{p}/unsupport                                   403  404  404  409  409
   POST /proposals/{p}/stance stance=for                           403  404  404  409  409
   POST /proposals/{p}/like                                        403  404  404  409  409
   POST /proposals/{p}/comments body=Et-godt-forslag.              403  404  404  409  409
   GET  /proposals/{p}/amendments/new                              302  404  404  403  409
   POST /proposals/{p}/amendments/new amendment                    403  404  404  403  409
   POST /proposals/{p}/outcomes date={today} text=Vedtaget.        403  404  404  403  409
   POST /proposals/{p}/follow                                      403  404  404  303  303
   POST /proposals/{p}/unfollow                                    403  404  404  303  303

A draft the caller is invited to (if a member who is not its proposer):
   GET  /proposals/{p}                                             404  404  200  200  200
   GET  /proposals/{p}/saves/0                                     404  404  200  200  200
   GET  /proposals?state=draft                                     200- 200- 200+ 200+ 200+
   GET  /proposals/{p}/edit                                        302  404  403  200  403
   POST /proposals/{p}/transition to=submitted                     403  404  403  303  403
   POST /proposals/{p}/proposers email={outsider}                  403  404  403  303  403
   POST /proposals/{p}/invitation/accept                           403  404  303  409  303
   POST /proposals/{p}/invitation/decline                          403  404  303  409  303

A submitted proposal:
   GET  /proposals/{p}                                             404  404  404  200  200
   GET  /data/proposals.csv                                        200- 200- 200- 200- 200-
   GET  /api/v1/proposals/{p}                                      404  404  404  200  200
   GET  /proposals/{p}/edit                                        302  404  404  409  403
   POST /proposals/{p}/transition to=hearing                       403  404  404  403  303
   POST /proposals/{p}/transition to=draft reason=Ret-det.         403  404  404  403  303
   POST /proposals/{p}/transition to=rejected reason=Nej.          403  404  404  403  303
   POST /proposals/{p}/transition to=withdrawn                     403  404  404  303  303
   POST /proposals/{p}/transition to=revision                      403  404  404  409  409

A submitted proposal the caller was invited to as a draft (if a member, not its proposer):
   GET  /proposals/{p}                                             404  404  200  200  200
   POST /proposals/{p}/invitation/accept                           403  404  409  409  409

A proposal in hearing:
   GET  /proposals/{p}                                             200  200  200  200  200
   GET  /proposals/{p}/versions                                    200  200  200  200  200
   GET  /proposals/{p}/saves/0                                     404  404  404  200  200
   GET  /proposals/{p}/diff?from=1&to=1                            200  200  200  200  200
   GET  /proposals/{p}/hearing-memo                                404  404  404  200  200
   GET  /api/v1/proposals/{p}                                      200  200  200  200  200
   GET  /proposals?state=hearing                                   200+ 200+ 200+ 200+ 200+
   GET  /feeds/proposals.atom                                      200+ 200+ 200+ 200+ 200+
   GET  /data/proposals.csv                                        200+ 200+ 200+ 200+ 200+
   GET  /proposals/{p}/edit                                        302  403  403  409  403
   POST /proposals/{p}/edit content                                403  403  403  409  403
   POST /proposals/{p}/transition to=revision                      403  403  403  403  303
   POST /proposals/{p}/transition to=withdrawn next=//evil.example/
                                                                   403  403  403  303  303
   POST /proposals/{p}/transition to=support                       403  403  403  409  409
   POST /proposals/{p}/proposers email={outsider}                  403  403  403  409  403
   POST /proposals/{p}/invitation/accept                           403  409  409  409  409
   POST /proposals/{p}/like                                        403  303  303  303  303
   POST /proposals/{p}/unlike                                      403  303  303  303  303
   POST /proposals/{p}/support                                     403  403  409  403  409
   POST /proposals/{p}/unsupport                                   403  409  409  409  409
   POST /proposals/{p}/stance stance=for                           403  403  409  409  409
   POST /proposals/{p}/comments body=Et-godt-forslag.              403  303  303  303  303
   POST /proposals/{p}/outcomes date={today} text=Vedtaget.        403  403  403  403  409
   POST /proposals/{p}/follow next=//evil.example/                 403  303  303  303  303
   POST /proposals/{p}/unfollow                                    403  303  303  303  303
   GET  /proposals/{p}/amendments/new                              302  403  200  403  200
   POST /proposals/{p}/amendments/new amendment                    403  403  303  403  303
   POST /proposals/{p}/amendments/new summary=                     403  403  422  403  422

An amendment by someone else to a proposal in hearing:
   GET  /proposals/{p}                                             200+ 200+ 200+ 200+ 200+
   GET  /amendments/{a}                                            200+ 200+ 200+ 200+ 200+
   GET  /amendments/{a}/edit                                       302  403  403  403  403
   POST /amendments/{a}/edit amendment                             403  403  403  403  403
   POST /amendments/{a}/back                                       403  403  303  303  303
   POST /amendments/{a}/unback                                     403  403  303  303  303
   POST /amendments/{a}/withdraw                                   403  403  403  403  403
   POST /amendments/{a}/decide verdict=adopted                     403  403  403  409  403
   POST /amendments/{a}/stance stance=for                          403  403  409  409  409

The caller's own amendment to another's proposal in hearing (a non-member: someone else's):
   GET  /amendments/{a}/edit                                       302  403  200  200  200
   POST /amendments/{a}/edit amendment                             403  403  303  303  303
   POST /amendments/{a}/edit amendment drawbacks=                  403  403  422  422  422
   POST /amendments/{a}/back                                       403  403  403  403  403
   POST /amendments/{a}/withdraw                                   403  403  303  303  303
   POST /proposals/{p}/amendments/new amendment                    403  403  409  409  409

An amendment to a proposal in revision:
   GET  /amendments/{a}                                            200+ 200+ 200+ 200+ 200+
   GET  /api/v1/proposals/{p}/amendments                           200  200  200  200  200
   GET  /proposals/{p}/amendments/new                              302  403  409  403  409
   POST /amendments/{a}/edit amendment                             403  403  403  403  403
   POST /amendments/{a}/back                                       403  403  303  303  303
   POST /amendments/{a}/decide verdict=adopted                     403  403  403  303  403
   POST /amendments/{a}/decide verdict=adopted_modified drawbacks=Det-koster-lidt.
                                                                   403  403  403  303  403
   POST /amendments/{a}/decide verdict=adopted_modified            403  403  403  422  403
   POST /amendments/{a}/decide verdict=not_adopted                 403  403  403  422  403
   POST /amendments/{a}/decide verdict=obsolete reason=Overhalet.  403  403  403  303  403
   POST /amendments/{a}/decide verdict=måske reason=Nej.           403  422  422  422  422
   POST /proposals/{p}/transition to=support                       403  403  403  409  403

A minority amendment to a proposal in the catalogue:
   GET  /amendments/{a}                                            200+ 200+ 200+ 200+ 200+
   POST /amendments/{a}/stance stance=for                          403  403  303  303  303
   POST /amendments/{a}/stance stance=                             403  403  303  303  303
   POST /amendments/{a}/stance stance=kanske                       403  422  422  422  422
   POST /amendments/{a}/back                                       403  403  409  409  409
   POST /amendments/{a}/decide verdict=adopted                     403  403  403  409  403

A proposal in hearing the caller was invited to as a draft (if a member, not its proposer):
   POST /proposals/{p}/invitation/accept                           403  409  409  409  409
   POST /proposals/{p}/invitation/decline                          403  409  303  409  303

A proposal in revision:
   GET  /proposals/{p}/edit                                        302  403  403  200  403
   POST /proposals/{p}/edit content                                403  403  403  303  403
   POST /proposals/{p}/transition to=support                       403  403  403  303  403
   POST /proposals/{p}/transition to=withdrawn                     403  403  403  303  303
   POST /proposals/{p}/proposers email={outsider}                  403  403  403  303  403
   POST /proposals/{p}/comments body=Et-godt-forslag.              403  303  303  303  303

A proposal seeking support:
   GET  /proposals/{p}                                             200  200  200  200  200
   POST /proposals/{p}/support                                     403  403  303  403  303
   POST /proposals/{p}/unsupport                                   403  303  303  303  303
   POST /proposals/{p}/stance stance=for                           403  403  409  409  409
   POST /proposals/{p}/edit content                                403  403  403  409  403
   POST /proposals/{p}/transition to=catalogue                     403  403  403  403  403
   POST /proposals/{p}/transition to=lapsed                        403  403  403  403  403
   POST /proposals/{p}/transition to=withdrawn                     403  403  403  303  303
   POST /proposals/{p}/comments body=Et-godt-forslag.              403  303  303  303  303

A proposal seeking support, backed by the caller (if a member who may back it):
   POST /proposals/{p}/unsupport                                   403  303  303  303  303
   POST /proposals/{p}/support                                     403  403  303  403  303

A proposal in the catalogue:
   GET  /proposals/{p}                                             200  200  200  200  200
   GET  /proposals/{p}.pdf                                         200  200  200  200  200
   GET  /catalogue                                                 200+ 200+ 200+ 200+ 200+
   POST /proposals/{p}/stance stance=for                           403  403  303  303  303
   POST /proposals/{p}/support                                     403  403  409  403  409
   POST /proposals/{p}/like                                        403  303  303  303  303
   POST /proposals/{p}/comments body=Et-godt-forslag.              403  303  303  303  303
   POST /proposals/{p}/outcomes date={today} text=Vedtaget.        403  403  403  403  303
   POST /proposals/{p}/transition to=retired reason=Forældet.      403  403  403  403  303
   POST /proposals/{p}/transition to=withdrawn                     403  403  403  409  409

A proposal in the catalogue, once the worker has made the catalogue's PDF:
   GET  /catalogue.pdf                                             200  200  200  200  200

A retired proposal:
   GET  /proposals/{p}                                             200  200  200  200  200
   POST /proposals/{p}/stance stance=for                           403  403  409  409  409
   POST /proposals/{p}/outcomes date={today} text=Vedtaget.        403  403  403  403  409
   POST /proposals/{p}/transition to=catalogue                     403  403  403  409  409

A lapsed proposal:
   GET  /proposals/{p}                                             200  200  200  200  200
   POST /proposals/{p}/transition to=revision reason=Genåbnet.     403  403  403  403  303
   POST /proposals/{p}/support                                     403  403  409  403  409
   POST /proposals/{p}/like                                        403  303  303  303  303
   POST /proposals/{p}/comments body=Et-godt-forslag.              403  409  409  409  409

A withdrawn proposal:
   GET  /proposals/{p}                                             200  200  200  200  200
   GET  /proposals/{p}/edit                                        302  403  403  409  403
   POST /proposals/{p}/transition to=draft                         403  403  403  409  409
   POST /proposals/{p}/like                                        403  409  409  409  409
   POST /proposals/{p}/comments body=Et-godt-forslag.              403  409  409  409  409

A rejected proposal:
   GET  /proposals/{p}                                             200  200  200  200  200
   GET  /api/v1/proposals/{p}                                      200  200  200  200  200
   POST /proposals/{p}/transition to=hearing                       403  403  403  409  409

A comment by someone else on a proposal in hearing:
   GET  /proposals/{p}                                             200+ 200+ 200+ 200+ 200+
   GET  /comments/{c}                                              303  303  303  303  303
   GET  /proposals/{p}?thread={c}                                  200+ 200+ 200+ 200+ 200+
   POST /comments/{c}/like                                         403  303  303  303  303
   POST /comments/{c}/unlike                                       403  303  303  303  303
   POST /comments/{c}/flag reason=Personangreb.                    403  303  303  303  303
   POST /comments/{c}/delete                                       403  403  403  403  403
   POST /comments/{c}/hide reason=Personangreb.                    403  403  403  403  303
   POST /comments/{c}/restore reason=Fejl.                         403  403  403  403  409
   POST /proposals/{p}/comments body=Et-svar. parent_id={c}        403  303  303  303  303
   POST /comments/{c}/answer verdict=adopted                       403  403  403  409  403

A hearing response by someone else on a proposal in revision:
   GET  /proposals/{p}/hearing-memo                                200+ 200+ 200+ 200+ 200+
   POST /comments/{c}/answer verdict=adopted text=Tak.             403  403  403  303  403
   POST /comments/{c}/answer verdict=kanske text=Tak.              403  403  403  422  403

The caller's own comment on a proposal in hearing (for a visitor, someone else's):
   POST /comments/{c}/delete                                       403  303  303  303  303

A hidden comment on a proposal in hearing:
   GET  /proposals/{p}                                             200- 200- 200- 200- 200+
   GET  /proposals/{p}?input=hearing                               200- 200- 200- 200- 200+
   POST /comments/{c}/restore reason=Fejl.                         403  403  403  403  303
   POST /comments/{c}/hide reason=Personangreb.                    403  403  403  403  409
   POST /comments/{c}/like                                         403  409  409  409  409
   POST /comments/{c}/flag reason=Personangreb.                    403  409  409  409  409

The caller's own comment on a proposal in hearing, hidden (for a visitor, someone else's):
   GET  /proposals/{p}                                             200- 200- 200- 200- 200+

A comment written in the hearing of a proposal since withdrawn:
   POST /comments/{c}/like                                         403  409  409  409  409
   POST /comments/{c}/flag reason=Personangreb.                    403  303  303  303  303
   POST /comments/{c}/hide reason=Personangreb.                    403  403  403  403  303

The caller's own comment on a proposal since withdrawn (for a visitor, someone else's):
   POST /comments/{c}/delete                                       403  409  409  409  409
"""


# --- the table, read ------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    on: str  # the heading: what the request acts on
    method: str
    path: str
    fields: tuple[str, ...]
    expected: dict[str, str] = field(hash=False, compare=False)  # role -> status

    @property
    def name(self) -> str:
        return f"{' '.join([self.method, self.path, *self.fields])} | {self.on}"


_STATUS = re.compile(r"^\d{3}[+-]?$")


def read_matrix(text: str) -> list[Row]:
    """The rows of the table: a heading ends with a colon, a row is indented (and may go on
    over the next line), `#` starts a comment."""
    rows: list[Row] = []
    heading = None
    pending: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            assert line.endswith(":"), f"line {number}: a heading ends with a colon"
            heading = line[:-1]
            continue
        pending += line.split()
        if not _STATUS.match(pending[-1]):
            continue  # the row goes on on the next line
        method, path, *fields = pending[:-5]
        statuses = pending[-5:]
        pending = []
        assert heading is not None and method in ("GET", "POST"), f"line {number}"
        assert all(_STATUS.match(s) for s in statuses), f"line {number}: five statuses"
        expected = dict(zip(ROLES, statuses, strict=True))
        rows.append(Row(heading, method, path, tuple(fields), expected))
    names = [row.name for row in rows]
    assert len(set(names)) == len(names), "a row is in the table twice"
    return rows


ROWS = read_matrix(MATRIX)


# --- the routes, from the URL map -----------------------------------------------------------


def _choices(rule) -> list[list[tuple[str, str]]]:
    """Each `<any(...)>` part of a rule, as its list of (argument, value) alternatives
    (Werkzeug keeps a rule's converters in `_converters`)."""
    return [
        [(name, item) for item in sorted(converter.items)]
        for name, converter in sorted(rule._converters.items())
        if isinstance(converter, AnyConverter)
    ]


def routes(app) -> set[tuple[str, str, tuple]]:
    """Every (endpoint, method, any-values) the app answers, HEAD and OPTIONS aside."""
    found = set()
    for rule in app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            for values in product(*_choices(rule)):
                found.add((rule.endpoint, method, tuple(values)))
    return found


class _AnyId(dict):
    def __missing__(self, key):
        return "1"


def route_of(app, row: Row) -> tuple[str, str, tuple] | None:
    """The route a row's request reaches, or None when it reaches none."""
    adapter = app.url_map.bind("localhost")
    path = row.path.format_map(_AnyId()).partition("?")[0]
    try:
        rule, arguments = adapter.match(path, method=row.method, return_rule=True)
    except (HTTPException, RequestRedirect):
        return None
    names = [choices[0][0] for choices in _choices(rule)]
    return (rule.endpoint, row.method, tuple((name, arguments[name]) for name in names))


# --- the app, the people and the objects each heading names ---------------------------------
# One app per worker for the whole module: building an app compiles every template anew,
# which would cost more than all the cells of a row. The rows share the five people and
# their signed-in clients; the objects are built per cell, as the module docstring says.

PASSWORD = "et-langt-kodeord"
SECRETARIAT_ROLES = next(roles for _, _, roles in DEMO_USERS if "secretariat" in roles)
_serial = count(1)


@pytest.fixture(scope="module")
def matrix_app(base_config, migrated):
    from tests.plugins.database import COMPILED_TEMPLATES

    app = create_app(base_config)
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES  # the templates compiled once per process
    yield app
    with app.app_context():
        db.session.remove()
        empty_all_tables()
        db.engine.dispose()
    forget_made_pdfs(base_config)


@dataclass
class World:
    """The people every row uses, and the factories that build each cell's objects."""

    app: Flask
    topic: int
    people: dict[str, Account | None] = field(default_factory=dict)

    def account(self, *roles: str) -> Account:
        n = next(_serial)
        with self.app.app_context():
            user = account_services.create_user(
                email=f"matrix{n}@example.org",
                name=f"Person {n}",
                password=PASSWORD,
                roles=set(roles),
                now=utcnow(),
            )
            db.session.commit()
            return Account(user.id, user.email, user.name, PASSWORD, set(user.roles))

    def user(self, role: str) -> User:
        return db.session.get(User, self.people[role].id)

    def proposal(self, state: str, *, invite=None, put=None, backer=None, author=None) -> dict:
        """A proposal by the proposer (or `author`), walked to `state` by them and the
        secretariat; `invite` (an Account) invited while it was a draft, `put` a state set
        as the system would have, `backer` (an Account) backing it."""
        n = next(_serial)
        title = f"Forslag nr. {n} om busser"
        content = {**CONTENT, "title": title, "drawbacks": "", "process": "", "materials": ""}
        now = utcnow()
        # Written a day apart, as a proposer writes them: one person may start 20 drafts
        # and send 30 invitations a day (lifecycle.DRAFTS_PER_DAY), and the world has more.
        written = now - timedelta(days=10_000 - n)
        with self.app.app_context():
            author = db.session.get(User, (author or self.people["proposer"]).id)
            staff = self.user("secretariat")
            proposal = proposal_services.create(
                author, proposal_services.Content(topic_id=self.topic, **content), now=written
            )
            if invite is not None:
                proposal_services.invite(author, proposal, invite.email, now=written)
            for target, who in PATHS[state]:
                actor = author if who == "author" else staff
                proposal_services.transition(actor, proposal, target, reason="Fordi.", now=now)
            if backer is not None:
                participation.add_support(db.session.get(User, backer.id), proposal, now=now)
            if put is not None:
                proposal.state = put
            db.session.commit()
            return {"p": proposal.id, "shows": title}

    def comment(self, p: int, by: Account, *, hide=False, withdraw=False) -> dict:
        """A comment by `by` on proposal `p`, then perhaps hidden by the secretariat, or
        the proposal withdrawn by its proposer."""
        now = utcnow()
        with self.app.app_context():
            proposal = db.session.get(Proposal, p)
            writer = db.session.get(User, by.id)
            text = f"Hvad koster forslag nr. {next(_serial)}?"
            comment = comment_services.add_comment(writer, proposal, text, now=now)
            if hide:
                comment_services.hide_comment(
                    self.user("secretariat"), comment, proposal, "Personangreb.", now=now
                )
            if withdraw:
                proposal_services.transition(self.user("proposer"), proposal, WITHDRAWN, now=now)
            db.session.commit()
            return {"c": comment.id, "shows": text}

    def response_in_revision(self) -> dict:
        """A hearing response by a citizen, the hearing since ended by the secretariat."""
        made = self.proposal(HEARING)
        said = self.comment(made["p"], self.account())
        with self.app.app_context():
            proposal_services.transition(
                self.user("secretariat"), db.session.get(Proposal, made["p"]), REVISION,
                now=utcnow(),
            )  # fmt: skip
            db.session.commit()
        return {**made, **said}

    def invitee(self, role: str) -> Account | None:
        """The caller, if an invitation can be sent to them: a member, not the proposer."""
        return self.people[role] if role in ("member", "secretariat") else None


@pytest.fixture(scope="module")
def world(matrix_app) -> World:
    with matrix_app.app_context():
        topic = Topic(name="Landdistrikter")
        db.session.add(topic)
        db.session.commit()
        world = World(matrix_app, topic.id)
    world.people = {
        "visitor": None,
        "citizen": world.account(),
        "member": world.account("member"),
        "proposer": world.account("member"),
        "secretariat": world.account(*SECRETARIAT_ROLES),
        "outsider": world.account("member"),  # the member the proposers invite
    }
    return world


Build = Callable[[World, str], dict]


def _nothing(world: World, role: str) -> dict:
    return {}


def _fresh_citizen(world: World, role: str) -> dict:
    citizen = world.account()
    with world.app.app_context():
        _, token = account_services.issue_reset_token(
            citizen.email, now=utcnow(), valid_for=timedelta(hours=1)
        )
        db.session.commit()
        unsubscribe = unsubscribe_token(db.session.get(User, citizen.id))
    return {
        "email": citizen.email,
        "password": citizen.password,
        "token": token,
        "u": citizen.id,
        "unsubscribe": unsubscribe,
    }


def _waiting_links(world: World, role: str) -> dict:
    n = next(_serial)
    citizen = world.account()
    now = utcnow()
    with world.app.app_context():
        registered = account_services.register(
            email=f"waiting{n}@example.org",
            name=f"Waiting {n}",
            password=PASSWORD,
            now=now,
            language="da",
            valid_for=timedelta(days=3),
            reset_valid_for=timedelta(hours=1),
        )
        email_change = account_services.request_email_change(
            db.session.get(User, citizen.id), citizen.password, f"moved{n}@example.org", now=now
        )
        db.session.commit()
    return {"confirm": registered.token, "email_change": email_change}


def _unknown_ids(world: World, role: str) -> dict:
    return {"p": 2**31 - 1, "c": 2**31 - 1, "t": 2**31 - 1, "a": 2**31 - 1}


def _topic(world: World, role: str) -> dict:
    return {"t": world.topic}


def _in(state: str, *, put: str | None = None) -> Build:
    return lambda world, role: world.proposal(state, put=put)


def _printed(world: World, role: str) -> dict:
    """A proposal in the catalogue, and the catalogue's Danish files made as the worker
    makes them (a request only serves them)."""
    made = world.proposal(SUPPORT, put=CATALOGUE)
    with world.app.app_context(), pdf_files.making():
        catalogue_files.make_all(utcnow(), languages=["da"])
    return made


def _for_each_caller(build: Build) -> Build:
    """Mark a build whose object depends on who calls: every cell gets its own."""
    build.for_each_caller = True
    return build


def _invited(state: str) -> Build:
    return _for_each_caller(lambda world, role: world.proposal(state, invite=world.invitee(role)))


@_for_each_caller
def _backed(world: World, role: str) -> dict:
    return world.proposal(SUPPORT, backer=world.invitee(role))


def _comment(*, own=False, hide=False, withdraw=False) -> Build:
    def build(world: World, role: str) -> dict:
        made = world.proposal(HEARING)
        by = world.people[role] if own and role != "visitor" else world.account()
        return {**made, **world.comment(made["p"], by, hide=hide, withdraw=withdraw)}

    return _for_each_caller(build) if own else build


# An amendment's fields as a form sends them: the matrix's proposals with other drawbacks.
AMENDMENT = {
    "summary": CONTENT["summary"],
    "body": CONTENT["body"],
    "drawbacks": "Det koster mere.",
    "justification": "Fordi-det-er-bedre.",
}


def _amendment(state: str, *, own: bool = False) -> Build:
    """A proposal in hearing with an amendment (by the caller if `own` and a member, the
    proposal then another member's), then walked on to `state`: to the catalogue with the
    amendment not adopted and going with it as a minority amendment."""

    def build(world: World, role: str) -> dict:
        mine = own and role not in ("visitor", "citizen")
        author = world.account("member") if mine and role == "proposer" else None
        made = world.proposal(HEARING, author=author)
        by = world.people[role] if mine else world.account("member")
        justification = f"Begrundelse nr. {next(_serial)}"
        now = utcnow()
        with world.app.app_context():
            proposal = db.session.get(Proposal, made["p"])
            text = {**amendment_services.hearing_text(proposal), "drawbacks": "Det koster mere."}
            amendment = amendment_services.file(
                db.session.get(User, by.id), proposal, text, justification, now=now
            )
            if state != HEARING:
                staff = world.user("secretariat")
                proposal_services.transition(staff, proposal, REVISION, now=now)
            if state == CATALOGUE:
                proposer = db.session.get(User, (author or world.people["proposer"]).id)
                amendment_services.decide(
                    proposer, amendment, proposal, "not_adopted", "Nej.", now=now
                )
                amendment.minority = True
                proposal_services.transition(proposer, proposal, SUPPORT, now=now)
                proposal.state = CATALOGUE
            db.session.commit()
            return {**made, "a": amendment.id, "shows": justification}

    return _for_each_caller(build) if own else build


OBJECTS: dict[str, Build] = {
    "The site itself": _nothing,
    "A fresh citizen's account (its email, password, id and a reset link)": _fresh_citizen,
    "An email address that has no account": _nothing,
    "A fresh registration and a fresh citizen's email change, each waiting for its link": (
        _waiting_links
    ),
    "An account link that does not work": _nothing,
    "A password-reset link that does not work": _nothing,
    "A topic": _topic,
    "A proposal id, a comment id, a topic id and an amendment id that do not exist": _unknown_ids,
    "A draft": _in(DRAFT),
    "A draft the caller is invited to (if a member who is not its proposer)": _invited(DRAFT),
    "A submitted proposal": _in(SUBMITTED),
    "A submitted proposal the caller was invited to as a draft (if a member, not its proposer)": (
        _invited(SUBMITTED)
    ),
    "A proposal in hearing": _in(HEARING),
    "A proposal in hearing the caller was invited to as a draft (if a member, not its proposer)": (
        _invited(HEARING)
    ),
    "A proposal in revision": _in(REVISION),
    "An amendment by someone else to a proposal in hearing": _amendment(HEARING),
    "The caller's own amendment to another's proposal in hearing (a non-member: someone else's)": (
        _amendment(HEARING, own=True)
    ),
    "An amendment to a proposal in revision": _amendment(REVISION),
    "A minority amendment to a proposal in the catalogue": _amendment(CATALOGUE),
    "A proposal seeking support": _in(SUPPORT),
    "A proposal seeking support, backed by the caller (if a member who may back it)": _backed,
    "A proposal in the catalogue": _in(SUPPORT, put=CATALOGUE),
    "A proposal in the catalogue, once the worker has made the catalogue's PDF": _printed,
    "A retired proposal": _in(SUPPORT, put=RETIRED),
    "A lapsed proposal": _in(SUPPORT, put=LAPSED),
    "A withdrawn proposal": _in(WITHDRAWN),
    "A rejected proposal": _in(REJECTED),
    "A comment by someone else on a proposal in hearing": _comment(),
    "The caller's own comment on a proposal in hearing (for a visitor, someone else's)": (
        _comment(own=True)
    ),
    "A hearing response by someone else on a proposal in revision": (
        lambda world, role: world.response_in_revision()
    ),
    "A hidden comment on a proposal in hearing": _comment(hide=True),
    "The caller's own comment on a proposal in hearing, hidden (for a visitor, someone else's)": (
        _comment(own=True, hide=True)
    ),
    "A comment written in the hearing of a proposal since withdrawn": _comment(withdraw=True),
    "The caller's own comment on a proposal since withdrawn (for a visitor, someone else's)": (
        _comment(own=True, withdraw=True)
    ),
}


# --- the checks -----------------------------------------------------------------------------


def test_every_route_has_a_row(matrix_app):
    covered = {route_of(matrix_app, row) for row in ROWS}
    missing = sorted(routes(matrix_app) - covered, key=repr)
    assert not missing, "routes with no row in MATRIX:\n" + "\n".join(map(repr, missing))


def test_every_row_names_a_route(matrix_app):
    gone = [row.name for row in ROWS if route_of(matrix_app, row) is None]
    assert not gone, "rows for routes that do not exist:\n" + "\n".join(gone)


def test_every_heading_names_an_object():
    assert {row.on for row in ROWS} == set(OBJECTS)


def signed_in(app, account: Account | None):
    """A test client logged in as `account` (a visitor when None), and its CSRF token."""
    client = app.test_client()
    token = csrf_token(client, "/login")
    if account is not None:
        response = client.post(
            "/login",
            data={"csrf_token": token, "email": account.email, "password": account.password},
        )
        assert response.status_code == 303, response.get_data(as_text=True)
    return client, token


class Clients:
    """A signed-in test client and its CSRF token per role, made once and used by every row
    until a request changes who the client is (logging in or out, registering, a reset) or
    its language; then the next row gets a new one."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.made: dict[str, tuple] = {}

    def __getitem__(self, role: str):
        if role not in self.made:
            self.made[role] = signed_in(self.world.app, self.world.people[role])
        return self.made[role]

    def check(self, role: str) -> None:
        client, _ = self.made[role]
        account = self.world.people[role]
        with client.session_transaction() as session:
            who = session.get("_user_id", "").partition(".")[0]
            unchanged = who == (str(account.id) if account else "") and "lang" not in session
        if not unchanged:
            del self.made[role]


@pytest.fixture(scope="module")
def clients(world) -> Clients:
    return Clients(world)


def _request(row: Row, values: dict, topic: int) -> tuple[str, dict]:
    path = row.path.format_map(values)
    data: dict = {}
    for item in row.fields:
        if item == "content":
            data.update(CONTENT, topic=str(topic))
        elif item == "amendment":
            data.update(AMENDMENT)
        else:
            name, _, value = item.partition("=")
            data[name] = value.format_map(values)
    return path, data


def _judge(row: Row, role: str, path: str, response, values: dict) -> str | None:
    """What is wrong with this cell's answer, or None."""
    expected = row.expected[role]
    status = int(expected[:3])
    text = response.get_data().decode(errors="replace")  # a PDF is not UTF-8
    if response.status_code != status:
        words = " ".join(re.sub(r"<[^>]+>", " ", text).split())[:300]
        return f"{role}: expected {expected}, got {response.status_code} ({words})"
    if status in (302, 303):
        location = urlsplit(response.headers.get("Location", ""))
        if location.scheme or location.netloc or not location.path.startswith("/"):
            return f"{role}: redirected off the site, to {response.headers.get('Location')}"
        if status == 302 and location.path != "/login":
            return f"{role}: expected a redirect to /login, got one to {location.path}"
    elif status >= 400:
        if path.startswith("/api/"):
            if not (response.is_json and response.json.get("status") == status):
                return f"{role}: the API answered {status} without its JSON error"
        elif response.mimetype != "text/html" or "<h1>" not in text:
            return f"{role}: the {status} is not a page that says why"
    elif expected.endswith("+") and values["shows"] not in text:
        return f"{role}: the answer does not show {values['shows']!r}"
    elif expected.endswith("-") and values["shows"] in text:
        return f"{role}: the answer shows {values['shows']!r}, which this role may not see"
    return None


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_authorisation_matrix(world, clients, row):
    build = OBJECTS[row.on]
    problems = []
    values = None
    for role in ROLES:
        if values is None or getattr(build, "for_each_caller", False):
            n = next(_serial)
            values = {
                "n": n,
                "new_email": f"ny{n}@example.org",
                "outsider": world.people["outsider"].email,
                "today": date.today().isoformat(),
                **build(world, role),
            }
        path, data = _request(row, values, world.topic)
        client, token = clients[role]
        if row.method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data={"csrf_token": token, **data})
        problems.append(_judge(row, role, path, response, values))
        if row.method == "POST" and response.status_code < 400:
            # It may have changed what it acted on, or who the client is.
            values = None
            clients.check(role)
    problems = [p for p in problems if p]
    assert not problems, f"{row.name}\n" + "\n".join(problems)


# --- beyond the five columns ----------------------------------------------------------------
# PRODUCT.md's roles are cumulative: a proposer is a member on the proposer list, and
# writing proposals and being a proposer are a member's rights. A proposer whose membership
# the secretariat revokes is a citizen again, and a citizen may not write proposals.

FORMER_PROPOSER = [
    ("GET", "/proposals/{p}/edit", ()),
    ("POST", "/proposals/{p}/edit", ("content",)),
    ("POST", "/proposals/{p}/proposers", ("email={outsider}",)),
    ("POST", "/proposals/{p}/transition", ("to=submitted",)),
]


@pytest.mark.parametrize(("method", "path", "fields"), FORMER_PROPOSER)
def test_a_proposer_who_is_no_longer_a_member_is_refused(world, method, path, fields):
    former = world.account("member")
    values = {**world.proposal(DRAFT, author=former), "outsider": world.people["outsider"].email}
    with world.app.app_context():
        account_services.change_role(
            world.user("secretariat"),
            db.session.get(User, former.id),
            "member",
            granted=False,
            now=utcnow(),
        )
        db.session.commit()
    client, token = signed_in(world.app, former)
    row = Row("their own draft", method, path, fields, dict.fromkeys(ROLES, "403"))
    path, data = _request(row, values, world.topic)
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, data={"csrf_token": token, **data})
    problem = _judge(row, "citizen", path, response, values)
    assert not problem, f"{method} {path} by a former member, on their own draft: {problem}"
