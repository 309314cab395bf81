from tests.browser.test_audit import _some_history
from tests.browser.conftest import SCREENSHOTS

def test_dbg(browsing):
    _some_history()
    page = browsing(width=390).login("addiction.manager")
    page.goto("/overview/")
    page.get_by_role("figure", name="Overskredne opfølgninger pr. uge").screenshot(path=str(SCREENSHOTS / "dbg-fig1.png"))
    page.get_by_role("figure", name="Planer pr. status").screenshot(path=str(SCREENSHOTS / "dbg-fig3.png"))
    page.goto("/audit/")
    page.screenshot(path=str(SCREENSHOTS / "dbg-trail390.png"))
