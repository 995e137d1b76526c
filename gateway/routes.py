"""Named routes of the gateway."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from gateway.views import (
    account,
    admin,
    admin_accounts,
    admin_institutions,
    admin_personal,
    admin_webhooks,
    api,
    cart,
    docs,
    health,
    metrics,
    pages,
    portal,
    portal_api,
    portal_harvests,
    requests_form,
    requests_track,
    saved_searches,
)

STATIC_DIR = Path(__file__).parent / "static"


def setup_routes(app: web.Application) -> None:
    """Register every route on ``app``."""
    router = app.router
    router.add_get("/api/health", health.health, name="health")
    router.add_get("/api/health/{probe:ready|live}", health.health, name="health-probe")
    router.add_get("/api/search", api.search, name="api-search")
    router.add_get("/api/facets", api.facets, name="api-facets")
    router.add_get("/api/suggest", api.suggest, name="api-suggest")
    router.add_get("/api/export", api.export, name="api-export")
    router.add_get("/api/resources/{id}", api.resource, name="api-resource")
    router.add_get("/api/entities/{key}", api.entity, name="api-entity")
    router.add_get("/api/institutions", api.institutions, name="api-institutions")
    router.add_get("/api/openapi.json", docs.openapi_json, name="openapi")
    router.add_get("/api/docs", docs.api_docs, name="api-docs")
    router.add_get("/", pages.search_page, name="search")
    router.add_get("/resources/{id}", pages.resource_page, name="resource")
    router.add_get("/institutions", pages.institutions_page, name="institutions")
    router.add_get("/institutions/{slug}", pages.institution_page, name="institution")
    router.add_get("/cart", cart.show, name="cart")
    router.add_post("/cart/add", cart.add, name="cart-add")
    router.add_post("/cart/remove", cart.remove, name="cart-remove")
    router.add_post("/cart/clear", cart.clear, name="cart-clear")
    # Saved searches (digest mails of new matches).
    router.add_post("/saved-searches", saved_searches.save, name="saved-save")
    router.add_get("/saved-searches/sent", saved_searches.sent, name="saved-sent")
    router.add_get("/saved-searches/confirm/{token}", saved_searches.confirm_page, name="saved-confirm-page")
    router.add_post("/saved-searches/confirm/{token}", saved_searches.confirm, name="saved-confirm")
    router.add_get("/saved-searches/unsubscribe/{token}", saved_searches.unsubscribe_page, name="saved-unsubscribe-page")
    router.add_post("/saved-searches/unsubscribe/{token}", saved_searches.unsubscribe, name="saved-unsubscribe")
    # Usage requests: the requester's side.
    router.add_get("/requests/new", requests_form.new_request_form, name="request-form")
    router.add_post("/requests/new", requests_form.submit_request, name="request-submit")
    router.add_get("/requests/sent", requests_form.request_sent, name="request-sent")
    router.add_get("/requests/verify/{token}", requests_track.verify_form, name="request-verify-form")
    router.add_post("/requests/verify/{token}", requests_track.verify, name="request-verify")
    router.add_get("/requests/track/{token}", requests_track.track, name="request-track")
    router.add_post("/requests/track/{token}/{request_id}/action", requests_track.requester_action,
                    name="request-track-action")
    router.add_post("/requests/track/{token}/{request_id}/messages", requests_track.requester_message,
                    name="request-track-message")
    # The institution portal (staff session) and its JSON API (bearer tokens).
    router.add_get("/portal", portal.portal_home, name="portal-home")
    router.add_get("/portal/", portal.inbox, name="portal-inbox")
    router.add_get("/portal/login", portal.login_form, name="portal-login-form")
    router.add_post("/portal/login", portal.login, name="portal-login")
    router.add_post("/portal/logout", portal.logout, name="portal-logout")
    router.add_get("/portal/export.csv", portal.export_csv, name="portal-export")
    router.add_get("/portal/requests/{id}", portal.detail, name="portal-request")
    router.add_post("/portal/requests/{id}/transition", portal.transition, name="portal-transition")
    router.add_post("/portal/requests/{id}/messages", portal.message, name="portal-message")
    router.add_get("/api/portal/requests", portal_api.list_requests, name="api-portal-requests")
    router.add_get("/api/portal/requests/{id}", portal_api.get_request, name="api-portal-request")
    router.add_post("/api/portal/requests/{id}/transition", portal_api.transition, name="api-portal-transition")
    # Harvest health (staff: own institutions' sources; admin: all), the admin dashboard, metrics.
    router.add_get("/portal/harvests", portal_harvests.harvests, name="portal-harvests")
    router.add_get("/portal/harvests/{source}/rejections", portal_harvests.rejections, name="portal-rejections")
    router.add_get("/api/portal/harvests", portal_harvests.api_harvests, name="api-portal-harvests")
    router.add_get("/api/portal/harvests/{source}", portal_harvests.api_source, name="api-portal-harvest")
    router.add_get("/api/portal/harvests/{source}/rejections", portal_harvests.api_rejections,
                   name="api-portal-rejections")
    router.add_get("/admin", admin.dashboard, name="admin")
    router.add_get("/admin/export/{table}.csv", admin.export_table, name="admin-export")
    router.add_get("/admin/personal-data", admin_personal.personal_data, name="admin-personal-data")
    router.add_post("/admin/personal-data", admin_personal.find, name="admin-personal-data-find")
    router.add_post("/admin/personal-data/export", admin_personal.export, name="admin-personal-data-export")
    router.add_post("/admin/personal-data/erase", admin_personal.erase, name="admin-personal-data-erase")
    router.add_get("/admin/institutions", admin_institutions.list_institutions, name="admin-institutions")
    router.add_get("/admin/institutions/new", admin_institutions.new_institution, name="admin-institution-new")
    router.add_post("/admin/institutions/new", admin_institutions.create_institution, name="admin-institution-create")
    router.add_get("/admin/institutions/{slug}", admin_institutions.edit_institution, name="admin-institution")
    router.add_post("/admin/institutions/{slug}", admin_institutions.update_institution,
                    name="admin-institution-update")
    router.add_get("/admin/accounts", admin_accounts.list_accounts, name="admin-accounts")
    router.add_post("/admin/accounts", admin_accounts.invite, name="admin-accounts-invite")
    router.add_post("/admin/accounts/{username}", admin_accounts.change, name="admin-account-change")
    router.add_get("/admin/webhooks", admin_webhooks.webhooks, name="admin-webhooks")
    router.add_post("/admin/webhooks", admin_webhooks.add_endpoint, name="admin-webhooks-add")
    router.add_post("/admin/webhooks/{endpoint}", admin_webhooks.endpoint_action, name="admin-webhook-action")
    router.add_post("/admin/webhooks/deliveries/{delivery}/redeliver", admin_webhooks.redeliver,
                    name="admin-webhook-redeliver")
    # A staff member's own account: links from invitation and reset mails, password change.
    router.add_get("/account/link/{secret}", account.link_form, name="account-link")
    router.add_post("/account/link/{secret}", account.link_submit, name="account-link-submit")
    router.add_get("/portal/reset", account.reset_form, name="portal-reset")
    router.add_post("/portal/reset", account.reset_submit, name="portal-reset-submit")
    router.add_get("/portal/password", account.password_form, name="portal-password")
    router.add_post("/portal/password", account.password_submit, name="portal-password-submit")
    router.add_get("/metrics", metrics.metrics, name="metrics")
    router.add_static("/static/", STATIC_DIR, name="static", append_version=True)
