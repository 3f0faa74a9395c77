//! The return desk through HTTP, as a browser without JavaScript uses it: sign-in and
//! its defences, the queue against an independent sort of the case views, the forms the
//! policy's schema gives, and a return worked from application to refund.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, missing_docs)]

#[macro_use]
mod support;

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use support::{Server, facts, postgres, unique};

/// A person's browser: its own cookies, redirects not followed (the test reads them).
struct Desk {
    base: String,
    client: reqwest::Client,
}

struct Page {
    status: StatusCode,
    headers: HeaderMap,
    text: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// The first CSRF token on the page.
    fn csrf(&self) -> String {
        value_after(&self.text, "name=\"csrf\" value=\"").unwrap_or_default()
    }

    /// The case ids the queue lists, in order.
    fn case_ids(&self) -> Vec<String> {
        let body = self.text.split("<tbody>").nth(1).unwrap_or("");
        body.split("<a href=\"/desk/cases/").skip(1).filter_map(|s| s.split('"').next()).map(str::to_owned).collect()
    }

    /// The next page's link.
    fn next_page(&self) -> Option<String> {
        let at = self.text.find("rel=\"next\"")?;
        let start = self.text[..at].rfind("href=\"")? + 6;
        let link = self.text[start..].split('"').next()?;
        Some(link.replace("&amp;", "&").replace("&#x2f;", "/").replace("&#x3d;", "=").replace("&#x7c;", "|"))
    }
}

fn value_after(text: &str, marker: &str) -> Option<String> {
    let start = text.find(marker)? + marker.len();
    text[start..].split('"').next().map(str::to_owned)
}

impl Desk {
    fn new(server: &Server) -> Desk {
        let client =
            reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Desk { base: server.base.clone(), client }
    }

    async fn get(&self, path: &str) -> Page {
        let r = self.client.get(format!("{}{path}", self.base)).send().await.unwrap();
        Page { status: r.status(), headers: r.headers().clone(), text: r.text().await.unwrap() }
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let r = self.client.post(format!("{}{path}", self.base)).form(form).send().await.unwrap();
        Page { status: r.status(), headers: r.headers().clone(), text: r.text().await.unwrap() }
    }

    async fn try_sign_in(&self, name: &str, password: &str) -> Page {
        let login = self.get("/desk/login").await;
        assert_eq!(login.status, StatusCode::OK);
        let csrf = login.csrf();
        self.post("/desk/login", &[("csrf", &csrf), ("name", name), ("password", password), ("next", "/desk/cases")])
            .await
    }

    async fn sign_in(server: &Server, name: &str, password: &str) -> Desk {
        let desk = Desk::new(server);
        let r = desk.try_sign_in(name, password).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{name} signs in: {}", r.text);
        assert_eq!(r.location(), "/desk/cases");
        desk
    }
}

async fn add_user(server: &Server, name: &str, roles: &[&str], password: &str) {
    let hash = tenet_server::desk::auth::hash_password(password).unwrap();
    let roles: Vec<String> = roles.iter().map(|r| (*r).to_owned()).collect();
    assert!(server.app.store.add_user(name, &hash, &roles, "2026-01-01T00:00:00.000000Z").await.unwrap());
}

/// Opens a return through the API (a system's access) and submits it as the customer.
async fn open_submitted(server: &Server, id: &str, mut facts: Value, submitted: &str) -> String {
    facts["request"]["submitted_at"] = json!(submitted);
    // Delivered the day before: inside the return window.
    let delivered = chrono::DateTime::parse_from_rfc3339(submitted).unwrap() - chrono::TimeDelta::days(1);
    facts["order"]["delivered_at"] = json!(delivered.to_rfc3339());
    let (s, body) = server.post("/v1/cases", &json!({"policy": "returns", "id": id, "facts": facts})).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let tracking = body["tracking_url"].as_str().unwrap().to_owned();
    let event = json!({"event": "submit", "at": submitted, "by": "customer"});
    let (s, body) = server.post(&format!("/v1/cases/{id}/events"), &event).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    tracking
}

async fn case(server: &Server, id: &str) -> Value {
    let (s, v) = server.get(&format!("/v1/cases/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

fn return_facts() -> Value {
    let mut f = facts("opened-keyboard.json");
    let m = f.as_object_mut().unwrap();
    for k in ["now", "shipment", "inspection"] {
        m.remove(k);
    }
    f
}

/// An instant `days` before now, as an RFC 3339 text in Shanghai time.
fn days_ago(days: i64, hours: i64) -> String {
    let t = chrono::Utc::now() - chrono::TimeDelta::days(days) - chrono::TimeDelta::hours(hours);
    let zone = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    t.with_timezone(&zone).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// The form's fields on the case page for `event`, as (name, kind) pairs.
fn form_of(page: &str, event: &str) -> Option<String> {
    let start = page.find(&format!("id=\"form-{event}\""))?;
    let end = page[start..].find("</form>")? + start;
    Some(page[start..end].to_owned())
}

async fn works_a_return_from_application_to_refund(server: Server) {
    let u = unique();
    let (rita, wang, fay) = (format!("rita{u}"), format!("wang{u}"), format!("fay{u}"));
    add_user(&server, &rita, &["reviewer"], "reviewer-password").await;
    add_user(&server, &wang, &["warehouse"], "warehouse-password").await;
    add_user(&server, &fay, &["finance"], "finance-password").await;
    let id = format!("R-desk-{u}");
    let mut f = return_facts();
    f["order"]["id"] = json!(format!("SO-{u}"));
    open_submitted(&server, &id, f, &days_ago(0, 1)).await;

    // The reviewer finds it in "my work" by its order id, previews and approves.
    let reviewer = Desk::sign_in(&server, &rita, "reviewer-password").await;
    let mine = reviewer.get(&format!("/desk/cases?mine=1&q=SO-{u}")).await;
    assert_eq!(mine.case_ids(), std::slice::from_ref(&id), "the case waits for a reviewer");
    let page = reviewer.get(&format!("/desk/cases/{id}")).await;
    assert!(form_of(&page.text, "approve").is_some() && form_of(&page.text, "reject").is_some());
    assert!(form_of(&page.text, "receive").is_none(), "a reviewer gets no warehouse form");
    let csrf = page.csrf();
    let preview = reviewer
        .post(
            &format!("/desk/cases/{id}/events"),
            &[
                ("csrf", &csrf),
                ("event", "reject"),
                ("version", "1"),
                ("key", "p1"),
                ("note", "照片不清楚"),
                ("preview", "1"),
            ],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.text.contains("this will reject: REJECTED_BY_REVIEWER"), "{}", preview.text);
    assert_eq!(case(&server, &id).await["version"], 1, "a preview records nothing");
    let posted = reviewer
        .post(
            &format!("/desk/cases/{id}/events"),
            &[("csrf", &csrf), ("event", "approve"), ("version", "1"), ("key", "a1")],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.text);
    // The same form sent twice (a double click) records it once.
    let again = reviewer
        .post(
            &format!("/desk/cases/{id}/events"),
            &[("csrf", &csrf), ("event", "approve"), ("version", "1"), ("key", "a1")],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let v = case(&server, &id).await;
    assert_eq!((v["version"].as_i64(), v["stage"].as_str()), (Some(2), Some("preparation")));

    // The customer ships (API); the warehouse's form is the policy's inspection schema.
    let ship = json!({"event": "ship", "at": days_ago(0, 0), "by": "customer",
        "data": {"shipment": {"carrier": "SF", "tracking_no": "SF1", "shipped_at": days_ago(0, 0)}}});
    assert_eq!(server.post(&format!("/v1/cases/{id}/events"), &ship).await.0, StatusCode::OK);
    let warehouse = Desk::sign_in(&server, &wang, "warehouse-password").await;
    let page = warehouse.get(&format!("/desk/cases/{id}")).await;
    let form = form_of(&page.text, "receive").expect("the warehouse may receive");
    for (name, kind) in [
        ("f.inspection.inspected_at", "type=\"datetime-local\""),
        ("f.inspection.quantity_received", "type=\"number\""),
        ("f.inspection.appearance", "<select"),
        ("f.inspection.quality", "<select"),
    ] {
        let at = form.find(&format!("name=\"{name}\"")).unwrap_or_else(|| panic!("{name} in {form}"));
        let tag_start = form[..at].rfind('<').unwrap();
        assert!(form[tag_start..at].contains(kind) || form[tag_start..].starts_with(kind), "{name} is {kind}");
    }
    assert!(form.contains("<option value=\"damaged\""), "an enumeration's values are the choices");
    assert!(form.contains("name=\"f.inspection.quality\" required"), "a required field is marked");
    let csrf = page.csrf();
    let local = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    let inspected = local.format("%Y-%m-%dT%H:%M").to_string();
    // A wrong number is refused by the engine with its path, and what was typed stays.
    let refused = warehouse
        .post(
            &format!("/desk/cases/{id}/events"),
            &[
                ("csrf", &csrf),
                ("event", "receive"),
                ("version", "3"),
                ("key", "r0"),
                ("f.inspection.inspected_at", &inspected),
                ("f.inspection.quantity_received", "one"),
                ("f.inspection.appearance", "intact"),
                ("f.inspection.packaging", "opened"),
                ("f.inspection.quality", "ok"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", case(&server, &id).await["trail"]);
    assert!(refused.text.contains("inspection.quantity_received"), "the path is named");
    assert!(refused.text.contains("value=\"one\""), "the typed value is kept");
    assert_eq!(case(&server, &id).await["version"], 3);
    let received = warehouse
        .post(
            &format!("/desk/cases/{id}/events"),
            &[
                ("csrf", &csrf),
                ("event", "receive"),
                ("version", "3"),
                ("key", "r1"),
                ("f.inspection.inspected_at", &inspected),
                ("f.inspection.quantity_received", "1"),
                ("f.inspection.appearance", "intact"),
                ("f.inspection.packaging", "opened"),
                ("f.inspection.quality", "ok"),
            ],
        )
        .await;
    assert_eq!(received.status, StatusCode::SEE_OTHER, "{}", received.text);

    // Finance starts the refund and confirms it.
    let finance = Desk::sign_in(&server, &fay, "finance-password").await;
    let page = finance.get(&format!("/desk/cases/{id}")).await;
    let csrf = page.csrf();
    for (event, version, status) in [("start_refund", "4", "processing"), ("refund_succeeded", "5", "success")] {
        let r = finance
            .post(
                &format!("/desk/cases/{id}/events"),
                &[("csrf", &csrf), ("event", event), ("version", version), ("key", event), ("f.refund.status", status)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{event}: {}", r.text);
    }
    let v = case(&server, &id).await;
    assert_eq!(v["stage"], "closed", "{v}");
    let by: Vec<&str> = v["trail"].as_array().unwrap().iter().map(|t| t["by"].as_str().unwrap_or("")).collect();
    assert_eq!(by, ["customer", rita.as_str(), "customer", wang.as_str(), fay.as_str(), fay.as_str()]);
    assert_eq!(v["facts"]["inspection"]["inspected_at"].as_str().map(|t| t.ends_with("+08:00")), Some(true));
    // Closed: off the open queue.
    assert!(finance.get(&format!("/desk/cases?q={id}")).await.case_ids().is_empty());
}

on_both!(a_return_is_worked_in_the_desk, works_a_return_from_application_to_refund);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_desk_keeps_its_doors() {
    let server = Server::start(None, None).await;
    add_user(&server, "wang", &["warehouse"], "warehouse-password").await;
    add_user(&server, "rita", &["reviewer"], "reviewer-password").await;
    open_submitted(&server, "R-1", return_facts(), &days_ago(0, 1)).await;
    let stranger = Desk::new(&server);

    // No session: every page sends the person to sign in, and back after.
    for path in ["/desk/", "/desk/cases", "/desk/cases/R-1", "/desk/actions", "/desk/reports"] {
        let r = stranger.get(path).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert!(r.location().starts_with("/desk/login?next="), "{path}: {}", r.location());
    }
    let r = stranger.post("/desk/cases/R-1/events", &[("event", "approve")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // The sign-in form carries its token too.
    let r = stranger.post("/desk/login", &[("name", "rita"), ("password", "reviewer-password")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Wrong passwords: from the third failure on, each attempt waits longer.
    let mut waits = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let r = stranger.try_sign_in("rita", "wrong-password").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let retry: u64 = r.headers.get("retry-after").and_then(|v| v.to_str().ok()?.parse().ok()).unwrap_or(0);
        waits.push((started.elapsed(), retry));
    }
    assert_eq!(waits.iter().map(|w| w.1).collect::<Vec<_>>(), [0, 0, 1, 1, 1], "Retry-After: {waits:?}");
    assert!(waits[3].0 >= Duration::from_millis(240), "the 4th attempt waited its 250 ms: {waits:?}");
    assert!(waits[4].0 >= Duration::from_millis(490), "the 5th waited 500 ms: {waits:?}");

    // A warehouse account has no approve form and its POST is refused; nothing recorded.
    let wang = Desk::sign_in(&server, "wang", "warehouse-password").await;
    let page = wang.get("/desk/cases/R-1").await;
    assert!(form_of(&page.text, "approve").is_none());
    assert!(page.text.contains("needs role</span> reviewer"), "it says who may");
    let csrf = page.csrf();
    let r = wang
        .post("/desk/cases/R-1/events", &[("csrf", &csrf), ("event", "approve"), ("version", "1"), ("key", "w")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(r.text.contains("reviewer"), "the refusal names the role");
    // Without the token: 403, nothing done.
    let r = wang.post("/desk/cases/R-1/events", &[("event", "cancel"), ("version", "1")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = wang.post("/desk/cases/R-1/notes", &[("body", "hello")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = wang.post("/desk/cases/R-1/notes", &[("csrf", "0".repeat(32).as_str()), ("body", "hello")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "another token is no token");
    assert_eq!(case(&server, "R-1").await["version"], 1);
    assert!(server.app.store.notes("R-1").await.unwrap().is_empty());

    // Disabling an account ends its session at once.
    assert!(server.app.store.disable_user("wang", "2026-01-02T00:00:00.000000Z").await.unwrap());
    assert_eq!(wang.get("/desk/cases").await.status, StatusCode::SEE_OTHER);
    let again = Desk::new(&server).try_sign_in("wang", "warehouse-password").await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED, "a disabled account cannot sign in");

    // Signing out ends the session on the server: the old cookie opens nothing.
    let rita = Desk::sign_in(&server, "rita", "reviewer-password").await;
    let page = rita.get("/desk/cases").await;
    let session = session_cookie(&server, "rita", "reviewer-password").await;
    let r = rita.post("/desk/logout", &[("csrf", &page.csrf())]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/desk/login"));
    assert_eq!(rita.get("/desk/cases").await.status, StatusCode::SEE_OTHER);
    let replayed = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = replayed
        .get(format!("{}/desk/cases", server.base))
        .header("cookie", format!("tenet_desk={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "a session of its own still works");
}

/// Signs in with a client that keeps no cookies and returns the session cookie's value.
async fn session_cookie(server: &Server, name: &str, password: &str) -> String {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let login = client.get(format!("{}/desk/login", server.base)).send().await.unwrap();
    let set: Vec<String> =
        login.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    let token = set.iter().find_map(|c| c.strip_prefix("tenet_login=")).unwrap().split(';').next().unwrap().to_owned();
    let r = client
        .post(format!("{}/desk/login", server.base))
        .header("cookie", format!("tenet_login={token}"))
        .form(&[("csrf", token.as_str()), ("name", name), ("password", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookies: Vec<String> =
        r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    let session = cookies.iter().find(|c| c.starts_with("tenet_desk=")).unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/desk", "Max-Age=43200"] {
        assert!(session.contains(attribute), "{session} has {attribute}");
    }
    assert!(!session.contains("Secure"), "plain HTTP on loopback: not Secure");
    session.trim_start_matches("tenet_desk=").split(';').next().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn behind_tls_the_session_cookie_is_secure() {
    let server = Server::start(None, None).await;
    add_user(&server, "rita", &["reviewer"], "reviewer-password").await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let login =
        client.get(format!("{}/desk/login", server.base)).header("x-forwarded-proto", "https").send().await.unwrap();
    let set = login.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(set.contains("; Secure"), "{set}");
    let token = set.trim_start_matches("tenet_login=").split(';').next().unwrap().to_owned();
    let r = client
        .post(format!("{}/desk/login", server.base))
        .header("x-forwarded-proto", "https")
        .header("cookie", format!("tenet_login={token}"))
        .form(&[("csrf", token.as_str()), ("name", "rita"), ("password", "reviewer-password")])
        .send()
        .await
        .unwrap();
    let session =
        r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).find(|c| c.starts_with("tenet_desk="));
    assert!(session.is_some_and(|c| c.contains("; Secure")), "{session:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn what_a_customer_typed_is_shown_as_text_on_every_page() {
    let server = Server::start(None, None).await;
    add_user(&server, "rita", &["reviewer", "supervisor"], "reviewer-password").await;
    let mut f = return_facts();
    let attack = "<script>alert(1)</script>";
    f["item"]["name"] = json!(attack);
    f["item"]["sku"] = json!(format!("\"><img src=x onerror=alert(1)>{attack}"));
    f["request"]["description"] = json!(attack);
    let tracking = open_submitted(&server, "R-x", f, &days_ago(0, 1)).await;
    let rita = Desk::sign_in(&server, "rita", "reviewer-password").await;
    let page = rita.get("/desk/cases/R-x").await;
    let queue = rita.get("/desk/cases").await.text;
    assert!(queue.contains("&lt;img src=x"), "the SKU is shown as text in the queue");
    assert!(!queue.contains("<img src=x"), "and not as markup");
    let note = rita.post("/desk/cases/R-x/notes", &[("csrf", &page.csrf()), ("body", attack)]).await;
    assert_eq!(note.status, StatusCode::SEE_OTHER);
    let reject = rita
        .post(
            "/desk/cases/R-x/events",
            &[("csrf", &page.csrf()), ("event", "reject"), ("version", "1"), ("key", "x"), ("note", attack)],
        )
        .await;
    assert_eq!(reject.status, StatusCode::SEE_OTHER, "{}", reject.text);
    for path in ["/desk/cases", "/desk/cases?q=R-x", "/desk/cases/R-x", "/desk/actions", "/desk/reports", "/desk/login"]
    {
        let r = rita.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        let csp = r.headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(!r.text.contains("<script>alert"), "{path} shows the text as markup");
        assert!(!r.text.contains("<img src=x"), "{path}");
        // Its only script is the desk's own file; no inline handlers or styles.
        assert_eq!(r.text.matches("<script").count(), 1, "{path}");
        assert!(r.text.contains("<script src=\"/desk/static/desk.js\" defer></script>"), "{path}");
        assert!(!r.text.contains(" onclick=") && !r.text.contains(" style="), "{path}");
    }
    let page = rita.get("/desk/cases/R-x").await.text;
    assert!(page.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"), "shown as text");
    // Internal notes never reach the customer's page.
    let secret = "内部：客户多次退货，注意核实";
    let page = rita.get("/desk/cases/R-x").await;
    rita.post("/desk/cases/R-x/notes", &[("csrf", &page.csrf()), ("body", secret)]).await;
    assert!(rita.get("/desk/cases/R-x").await.text.contains(secret), "staff see it");
    let (s, customer) = server.get(&tracking).await;
    assert_eq!(s, StatusCode::OK);
    let customer = customer.as_str().unwrap();
    assert!(customer.contains("退货进度") && !customer.contains(secret), "the customer does not");
}

/// A case as the independent statement sorts it: earliest open deadline, id, stage, SKU.
type Expected = (chrono::DateTime<chrono::Utc>, String, String, String);

/// The queue against an independent statement of its order: every open case, sorted by
/// the earliest deadline not yet met that its own case view (the API's replay) shows,
/// then by id; with the filters and pages of 50.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_queue_lists_open_cases_overdue_first_then_by_deadline() {
    let server = Server::start(None, None).await;
    add_user(&server, "rita", &["reviewer"], "reviewer-password").await;
    let mut ids = Vec::new();
    for i in 0..120i64 {
        let id = format!("Q-{i:03}");
        let mut f = return_facts();
        f["item"]["sku"] = json!(if i % 3 == 0 { "SKU-A" } else { "SKU-B" });
        f["request"]["id"] = json!(format!("RR-{i}"));
        if i % 10 == 9 {
            // Never submitted: in application, with no deadline.
            let (s, _) = server.post("/v1/cases", &json!({"policy": "returns", "id": id, "facts": f})).await;
            assert_eq!(s, StatusCode::CREATED);
        } else {
            // Submitted between 6 days ago and an hour ago: some overdue, some not.
            open_submitted(&server, &id, f, &days_ago(i % 7, (i * 5) % 24)).await;
        }
        if i % 17 == 0 {
            let approve = json!({"event": "approve", "at": days_ago(0, 0), "by": "reviewer"});
            assert_eq!(server.post(&format!("/v1/cases/{id}/events"), &approve).await.0, StatusCode::OK);
        }
        ids.push(id);
    }
    // The independent order, from each case's view.
    let now = chrono::Utc::now();
    let mut expected: Vec<Expected> = Vec::new();
    let mut overdue_in_views: Vec<String> = Vec::new();
    for id in &ids {
        let v = case(&server, id).await;
        if v["deadlines"].as_array().unwrap().iter().any(|d| d["overdue"] == true) {
            overdue_in_views.push(id.clone());
        }
        let due = v["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| matches!(d["status"].as_str(), Some("open" | "overdue")))
            .filter_map(|d| chrono::DateTime::parse_from_rfc3339(d["due"].as_str()?).ok())
            .map(|d| d.to_utc())
            .min()
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC);
        let sku = v["facts"]["item"]["sku"].as_str().unwrap().to_owned();
        expected.push((due, id.clone(), v["stage"].as_str().unwrap().to_owned(), sku));
    }
    expected.sort();
    let rita = Desk::sign_in(&server, "rita", "reviewer-password").await;
    let all = pages(&rita, "/desk/cases").await;
    assert_eq!(all.len(), 3, "120 cases are three pages of at most 50");
    assert_eq!(all.iter().map(Vec::len).collect::<Vec<_>>(), [50, 50, 20]);
    let listed: Vec<String> = all.concat();
    let want: Vec<String> = expected.iter().map(|e| e.1.clone()).collect();
    assert_eq!(listed, want);

    let only = |keep: &dyn Fn(&Expected) -> bool| -> Vec<String> {
        expected.iter().filter(|e| keep(e)).map(|e| e.1.clone()).collect()
    };
    assert_eq!(pages(&rita, "/desk/cases?stage=preparation").await.concat(), only(&|e| e.2 == "preparation"));
    assert_eq!(pages(&rita, "/desk/cases?sku=SKU-A").await.concat(), only(&|e| e.3 == "SKU-A"));
    let overdue = pages(&rita, "/desk/cases?overdue=1").await.concat();
    let after = chrono::Utc::now();
    // Overdue at the server's clock, which read between `now` and `after`.
    assert_eq!(overdue, only(&|e| e.0 <= now || (e.0 <= after && overdue.contains(&e.1))));
    assert!(!overdue.is_empty() && overdue.len() < 100, "a mix: {} overdue", overdue.len());
    // My work: a reviewer's cases are those in review; with two roles, the cases waiting
    // for either, each once, in the queue's order across pages.
    assert_eq!(pages(&rita, "/desk/cases?mine=1").await.concat(), only(&|e| e.2 == "review"));
    add_user(&server, "cora", &["customer", "reviewer"], "customer-password").await;
    let cora = Desk::sign_in(&server, "cora", "customer-password").await;
    let both = pages(&cora, "/desk/cases?mine=1").await;
    assert!(both.len() >= 2, "more than a page");
    assert_eq!(both.concat(), only(&|e| matches!(e.2.as_str(), "application" | "review" | "preparation")));
    // Search: a case id, an order id or a request id, exactly.
    assert_eq!(rita.get("/desk/cases?q=RR-42").await.case_ids(), ["Q-042"]);
    assert_eq!(rita.get("/desk/cases?q=Q-007").await.case_ids(), ["Q-007"]);
    assert_eq!(rita.get("/desk/cases?q=Q-00").await.case_ids(), Vec::<String>::new());
    // The analysis over these cases, rendered by the report crate, on a page whose own
    // policy allows its inline style and no script at all.
    let report = rita.get("/desk/reports?view=1&policy=returns").await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text);
    assert!(report.text.contains("<title>退货分析 Return analysis — returns"), "the report's page");
    assert!(report.text.contains("<svg"), "with its charts");
    let csp = report.headers.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("style-src 'unsafe-inline'") && !csp.contains("script-src"), "{csp}");
    let bad = rita.get("/desk/reports?view=1&since=2026-13-01").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text.contains("YYYY-MM-DD"));
    // The API's overdue listing and the metrics gauge read the same index: the cases whose
    // own view says a deadline is overdue.
    let (s, listed) = server.get("/v1/cases?overdue=true&limit=30").await;
    assert_eq!(s, StatusCode::OK);
    let mut api: Vec<String> =
        listed["cases"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect();
    let mut next = listed["next_after"].as_str().map(str::to_owned);
    while let Some(after) = next {
        let (_, more) = server.get(&format!("/v1/cases?overdue=true&limit=30&after={after}")).await;
        api.extend(more["cases"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()));
        next = more["next_after"].as_str().map(str::to_owned);
    }
    assert_eq!(api, overdue_in_views, "sorted by id, as the views say");
    let (_, metrics) = server.get("/metrics").await;
    let gauge = metrics.as_str().unwrap().lines().find(|l| l.starts_with("tenet_cases_overdue ")).unwrap().to_owned();
    assert_eq!(gauge, format!("tenet_cases_overdue {}", overdue_in_views.len()));
    // The header counts the overdue cases on every page.
    let header = rita.get("/desk/actions").await.text;
    assert!(header.contains(&format!("逾期 <strong>{}</strong>", overdue.len())), "the count is the filter's");
}

/// Every page of a listing, following its next links.
async fn pages(desk: &Desk, first: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut next = Some(first.to_owned());
    while let Some(path) = next {
        let page = desk.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        out.push(page.case_ids());
        next = page.next_page();
        assert!(out.len() < 10, "pages end");
    }
    out
}

/// A queue row behind its case (written by another server, missed in a crash, or kept
/// from before the desk) is found and recomputed by the keeper.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_keeper_recomputes_rows_behind_their_case() {
    let server = Server::start(None, None).await;
    open_submitted(&server, "R-k", return_facts(), &days_ago(0, 1)).await;
    let store = &server.app.store;
    let filter = |search: &str| tenet_server::store::QueueFilter {
        search: Some(search.to_owned()),
        limit: 50,
        ..Default::default()
    };
    let [row] = <[_; 1]>::try_from(store.queue(&filter("R-k")).await.unwrap()).unwrap();
    assert_eq!((row.version, row.stage.as_str()), (1, "review"));
    // An older picture never replaces a newer one (a slow writer loses).
    let old = tenet_server::store::QueueRow { version: 0, stage: "application".into(), ..row.clone() };
    store.put_queue_row(&old).await.unwrap();
    assert_eq!(store.queue(&filter("R-k")).await.unwrap()[0], row);
    // A row missing (another server wrote the case) or behind (a crash between the append
    // and the row) is recomputed.
    store.delete_queue_row("R-k").await.unwrap();
    assert_eq!(store.stale_queue("", 10).await.unwrap(), ["R-k"]);
    assert_eq!(tenet_server::desk::queue::catch_up(&server.app).await.unwrap(), 1);
    assert_eq!(store.queue(&filter("R-k")).await.unwrap()[0], row);
    store.delete_queue_row("R-k").await.unwrap();
    store.put_queue_row(&old).await.unwrap();
    assert_eq!(store.stale_queue("", 10).await.unwrap(), ["R-k"]);
    assert_eq!(tenet_server::desk::queue::catch_up(&server.app).await.unwrap(), 1);
    assert_eq!(store.queue(&filter("R-k")).await.unwrap()[0], row);
    assert!(store.stale_queue("", 10).await.unwrap().is_empty());
}

/// A signing case sits in the same queue; its page shows the draft rendered from the
/// agreement data its number names and offers the signing events with their forms.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_signing_case_shows_its_agreement_draft() {
    let server = Server::start_with(None, None, |o| {
        o.agreements = Some(support::root().join("examples/agreements"));
    })
    .await;
    add_user(&server, "li", &["reviewer"], "signing-password").await;
    let facts = json!({"agreement": {"number": "TS-2026-0042", "term": {"start": "2026-01-01", "end": "2026-12-31"}}});
    let (s, body) = server.post("/v1/cases", &json!({"policy": "signing", "id": "S-42", "facts": facts})).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let send = json!({"event": "send_nda", "at": days_ago(0, 2), "by": "李强"});
    assert_eq!(server.post("/v1/cases/S-42/events", &send).await.0, StatusCode::OK);
    let li = Desk::sign_in(&server, "li", "signing-password").await;
    assert_eq!(li.get("/desk/cases?policy=signing").await.case_ids(), ["S-42"]);
    let page = li.get("/desk/cases/S-42").await;
    assert!(page.text.contains("协议草稿"), "the draft section");
    assert!(page.text.contains("TS-2026-0042") && page.text.contains("技术支持协议"), "the draft's text");
    let form = form_of(&page.text, "sign_nda").expect("the NDA can be signed");
    assert!(form.contains("name=\"f.nda_signed_at\"") && form.contains("type=\"datetime-local\""), "{form}");
    for lang in ["zh", "en"] {
        let r = li.get(&format!("/desk/cases/S-42/draft?lang={lang}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert!(r.text.contains("TS-2026-0042"));
        let csp = r.headers.get("content-security-policy").unwrap().to_str().unwrap();
        assert!(csp.contains("default-src 'none'") && !csp.contains("script-src"), "{csp}");
    }
    // Signed through the form: the recorded time is the local time read in the policy's zone.
    let posted = li
        .post(
            "/desk/cases/S-42/events",
            &[
                ("csrf", &page.csrf()),
                ("event", "sign_nda"),
                ("version", "1"),
                ("key", "n"),
                ("f.nda_signed_at", "2026-12-01T14:30"),
            ],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.text);
    let v = case(&server, "S-42").await;
    assert_eq!(
        (v["stage"].as_str(), v["facts"]["nda_signed_at"].as_str()),
        (Some("draft"), Some("2026-12-01T14:30:00+08:00"))
    );
}
