"""A secret vote the server cannot read, in the browser from start to end.

Three trustees make their keys in their own browsers (passphrase-protected files) and
exchange shares; representatives vote on 390×844 phones, one audits its encrypted vote
first (cast or audit); the chair closes; two trustees decrypt; the poll page and the
projector show the result; a member checks the receipt on the public page.
"""

import io
import json

import pytest
from axe_playwright_python.sync_playwright import Axe

from besluit import verify
from besluit.associations.models import Role
from besluit.voting import trustees
from besluit.voting.models import Election, Poll, SealedBallot
from tests import factories
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

PASS = "een lange geheime zin"


def _make_key(page, base, tmp_path, name):
    page.goto(f"{base}/stembeheerders/mijn-sleutel/")
    page.wait_for_selector('[data-step="key"]:not([hidden])')
    page.fill("#pass1", PASS)
    with page.expect_download(timeout=60_000) as download:  # PBKDF2, 600,000 rounds
        page.click('[data-step="key"] button[type=submit]')
    path = tmp_path / f"{name}.json"
    download.value.save_as(path)
    page.wait_for_selector('[data-step="key"][hidden]', state="attached")
    return path


def _open_key(page, base, path):
    page.goto(f"{base}/stembeheerders/mijn-sleutel/")
    page.wait_for_selector('[data-step="open"]:not([hidden])')
    page.set_input_files("#keyfile", str(path))
    page.fill("#pass2", PASS)
    page.click('[data-step="open"] button[type=submit]')
    page.wait_for_selector("[data-message]:not([hidden])")
    return page.inner_text("[data-message]")


def _public_download(new_page, result_page, tmp_path):
    """The bundle behind the result page's link, fetched by someone not logged in."""
    href = result_page.get_attribute("a[href$='bundel.json']", "href")
    response = new_page().request.get(href)
    assert response.status == 200
    path = tmp_path / "bundel.json"
    path.write_bytes(response.body())
    return path


def _axe(page):
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, (page.url, [(v["id"], v["nodes"][0]["html"]) for v in serious])


def test_trustees_phones_audit_close_decrypt_and_check(new_page, tmp_path):
    association = factories.make_association(12, slug="geheim")
    meeting = factories.make_meeting(association)
    proposal = factories.make_proposal(meeting)
    chair = factories.make_user("voorzitter", association, Role.Kind.CHAIR)
    names = ["voorzitter", "bestuurslid", "auditcommissie"]
    people = [chair] + [factories.make_user(n, association, Role.Kind.BOARD) for n in names[1:]]
    for i in range(4):
        factories.make_user(
            f"rep{i}",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, i),
        )
    base = f"/{association.slug}/vergaderingen/{meeting.pk}"

    # The chair appoints three trustees, two of whom decrypt.
    chair_page = new_page()
    login(chair_page, "voorzitter")
    chair_page.goto(f"{base}/stembeheerders/")
    for user in people:
        chair_page.check(f'input[name=trustees][value="{user.pk}"]')
    chair_page.fill("#threshold", "2")
    chair_page.click("main form button[type=submit]")
    chair_page.wait_for_load_state()
    assert "Elke 2 van de 3" in chair_page.inner_text("main") or "2" in chair_page.inner_text(
        "main"
    )

    # Each trustee makes a key in their own browser, then sends the shares.
    pages, files = {}, {}
    for name in names:
        page = chair_page if name == "voorzitter" else new_page()
        if name != "voorzitter":
            login(page, name)
        pages[name] = page
        files[name] = _make_key(page, base, tmp_path, name)
    assert Election.objects.get(meeting=meeting).status == Election.Status.DEALING
    _axe(pages["bestuurslid"])
    for name in names:
        _open_key(pages[name], base, files[name])
    election = Election.objects.get(meeting=meeting)
    assert election.status == Election.Status.READY
    key_file = json.loads(files["bestuurslid"].read_text())
    assert key_file["format"] == "besluit-trustee-key/1" and "seed" not in json.dumps(key_file)

    poll = factories.open_poll(
        chair, meeting, subject="proposal", proposal=proposal, is_secret=True
    )
    assert poll.election_id == election.pk

    # Representatives vote on phones; rep0 audits first, then votes.
    receipts = []
    choices = ["Voor", "Tegen", "Voor", "Voor"]
    for i, label in enumerate(choices):
        page = new_page(phone=True)
        login(page, f"rep{i}")
        page.goto(f"/{association.slug}/stemmingen/{poll.public_id}/")
        form = page.locator("form[data-sealed-vote]")
        form.wait_for()
        if i == 0:
            _axe(page)
            form.get_by_role("button", name="Tegen").click()
            page.click("[data-audit]")
            message = page.locator('form[data-sealed-vote] [data-step="message"]')
            message.wait_for()
            assert "precies de keuze" in message.inner_text()
        form.get_by_role("button", name=label).click()
        tracker = page.inner_text("form[data-sealed-vote] [data-tracker]")
        page.click("[data-cast]")
        box = page.locator(f'[data-sealed-receipt="{poll.public_id}"]').first
        box.wait_for()
        assert box.locator("[data-tracker]").inner_text() == tracker
        with page.expect_download() as download:
            box.locator("[data-download]").click()
        path = tmp_path / f"receipt{i}.json"
        download.value.save_as(path)
        receipts.append(path)
        page.screenshot(path=f"var/test/artefacts/sealed-vote-{i}.png")
    assert SealedBallot.objects.filter(poll=poll).count() == 4

    # The chair closes; nothing is decided until two trustees have sent their share.
    chair_page.goto(f"/{association.slug}/stemmingen/{poll.public_id}/sluiten/")
    chair_page.locator("main form button[type=submit]").first.click()
    chair_page.wait_for_selector("[data-awaiting-trustees]")
    for name in ("bestuurslid", "auditcommissie"):
        _open_key(pages[name], base, files[name])
    poll.refresh_from_db()
    assert poll.status == Poll.Status.CLOSED and poll.result is not None
    result = poll.outcome
    assert result.option("for").members == 3 and result.option("against").members == 1
    assert trustees.TallyShare.objects.filter(poll=poll).count() == 2

    chair_page.goto(f"/{association.slug}/stemmingen/{poll.public_id}/")
    assert "Aangenomen" in chair_page.inner_text("main")
    projector = new_page()
    login(projector, "bestuurslid")
    projector.goto(f"{base}/scherm/")
    shown = projector.inner_text("main")
    # The result chart: a bar per option with its members in brackets, and turnout.
    assert "Aangenomen" in shown and "(3)" in shown and "(1)" in shown
    assert "4 van de 12 leden hebben gestemd" in shown
    projector.screenshot(path="var/test/artefacts/sealed-projector.png")

    # The bundle, downloaded from the result page without a login, passes besluit verify.
    path = _public_download(new_page, chair_page, tmp_path)
    out = io.StringIO()
    assert verify.main([str(path)], out=out, err=out) == 0, out.getvalue()
    assert "4 sealed ballots, 2 trustee shares" in out.getvalue()
    # And with a voter's downloaded receipt: its tracker is a leaf of the closed log.
    out = io.StringIO()
    code = verify.main([str(path), "--receipt", str(receipts[2])], out=out, err=out)
    assert code == 0 and "receipt with tracker" in out.getvalue(), out.getvalue()

    # Anyone checks a receipt on the public page, without logging in.
    public = new_page(phone=True)
    public.goto("/controleer-uw-stem/")
    public.set_input_files("#receipt", str(receipts[1]))
    public.click("main form button[type=submit]")
    result_box = public.locator("[data-result]")
    result_box.wait_for()
    _axe(public)
    assert "ondertekende" in result_box.inner_text() or "handtekening" in result_box.inner_text()
    # Also against the poll's signed closing checkpoint from the public feed.
    public.wait_for_selector("[data-latest]:not(:empty)")
    assert "sluitende controlepunt" in public.inner_text("[data-latest]")
    data = json.loads(receipts[1].read_text())
    data["log"]["event"]["tracker"] = "0" * 64
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    public.set_input_files("#receipt", str(bad))
    public.click("main form button[type=submit]")
    public.wait_for_selector("[data-result].utrecht-alert--error")
