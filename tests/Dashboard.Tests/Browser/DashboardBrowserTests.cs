using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OrleansTenancy.Silo.Dashboard;
using OrleansTenancy.Silo.Tests.Gateway;
using static Microsoft.Playwright.Assertions;
using static OrleansTenancy.Dashboard.Tests.Browser.DashboardPage;

namespace OrleansTenancy.Dashboard.Tests.Browser;

/// <summary>The dashboard in headless Chromium against the real silo host, as an operator uses it.</summary>
[Collection(DashboardSiloCollection.Name)]
public sealed class DashboardBrowserTests(DashboardSilo silo)
{
    [Fact]
    public async Task A_wrong_key_shows_an_error_and_sets_no_cookie_and_the_admin_key_signs_in_until_sign_out()
    {
        await using var dashboard = await silo.OpenAsync("sign-in");
        var page = dashboard.Page;

        Assert.Equal(401, await dashboard.SignInAsync("not-the-admin-key-at-all"));
        await Awaiting("the sign-in error", () => Expect(page.Locator("#login-error")).ToContainTextAsync("not the admin key"));
        Assert.Empty(await dashboard.Context.CookiesAsync());
        await dashboard.ScreenshotAsync("wrong-key");

        Assert.Equal(303, await dashboard.SignInAsync(GatewayHost.AdminKey));
        await Awaiting("the dashboard after signing in", () => Expect(page).ToHaveURLAsync(new Regex("/dashboard$")));
        await Awaiting("the tenant summary", () => Expect(page.Locator("#tenant-summary")).ToContainTextAsync("4 tenants"));
        var cookie = Assert.Single(await dashboard.Context.CookiesAsync());
        Assert.Equal(DashboardSessions.CookieName, cookie.Name);
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.False(cookie.Secure); // plain HTTP here; HTTPS sign-ins get Secure (see the access tests)
        Assert.DoesNotContain(GatewayHost.AdminKey, Uri.UnescapeDataString(cookie.Value), StringComparison.Ordinal);
        Assert.Equal(0, await page.EvaluateAsync<int>("() => document.cookie.length")); // HttpOnly: no script sees it
        await Awaiting("this silo in the silos table", () => Expect(page.Locator("#silos tbody tr")).ToContainTextAsync("(this silo)"));
        await Expect(page.Locator("#silos tbody tr[data-status=active]")).ToHaveCountAsync(1);
        await Expect(page.Locator("#registry-agreement")).ToContainTextAsync("Every silo that answered loaded the same tenants");
        await dashboard.ScreenshotAsync("signed-in");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Awaiting("the sign-in page after signing out", () => Expect(page).ToHaveURLAsync(new Regex("/dashboard/login$")));
        Assert.Empty(await dashboard.Context.CookiesAsync());
        await page.GotoAsync("/dashboard");
        await Awaiting("the sign-in page when opening the dashboard signed out", () => Expect(page).ToHaveURLAsync(new Regex("/dashboard/login$")));
    }

    [Fact]
    public async Task A_tenants_bar_moves_after_a_call_and_after_a_runtime_budget_change_without_a_reload()
    {
        await using var dashboard = await silo.OpenAsync("budget-bar");
        var page = dashboard.Page;
        await dashboard.SignInAsync(GatewayHost.AdminKey);
        var daily = dashboard.Limit("acme", "cost_usd", "day");
        await Awaiting("acme's daily cost bar before any call", () => Expect(daily.Locator("[data-figure=spent]")).ToHaveTextAsync("$0.00 spent"));
        await Expect(daily.Locator("[data-figure=limit]")).ToHaveTextAsync("$10.00");
        await Expect(daily.Locator("[data-figure=resets]")).ToContainTextAsync("00:00 (UTC)");
        await page.EvaluateAsync("() => { window.sameDocument = true; }");

        var (status, cost) = await silo.ChatAsync(silo.Host.StaffKey, "What is on the agenda?");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(cost > 0, "the simulator charges every call");
        await Awaiting("acme's daily spend to show the call's cost", () => Expect(daily.Locator("[data-figure=spent]")).ToHaveTextAsync($"{Usd(cost)} spent"));
        await Expect(daily).ToHaveAttributeAsync("data-level", "ok");

        await page.Locator("button[data-show=acme]").ClickAsync();
        await Awaiting("the call in acme's recent executions",
            () => Expect(page.Locator("#executions tbody tr[data-status=ok]")).ToContainTextAsync("openai/gpt-4o-mini"));
        await Awaiting("the model in acme's cost-by-model chart", () => Expect(page.Locator("#chart-models g[data-key='openai/gpt-4o-mini']")).ToHaveCountAsync(1));
        await Awaiting("the workspace in acme's cost-by-workspace chart", () => Expect(page.Locator("#chart-workspaces g[data-key=staff]")).ToHaveCountAsync(1));
        await dashboard.ScreenshotAsync("after-call");

        // 90 % of a lowered cap: near it, which the bar says in words as well as in colour.
        var nearCap = Math.Round(cost / 0.9m, 12, MidpointRounding.AwayFromZero);
        await silo.SetDailyCapAsync("acme", nearCap);
        await Awaiting("acme's daily cap to follow the runtime override", () => Expect(daily.Locator("[data-figure=limit]")).ToHaveTextAsync(Usd(nearCap)));
        await Expect(daily).ToHaveAttributeAsync("data-level", "near");
        await Expect(daily.Locator(".limit-status")).ToHaveTextAsync(new Regex(@"^Near cap: 90\.0 % used$"));
        await Expect(dashboard.Tenant("acme").Locator(".tenant-state")).ToContainTextAsync("Near cap");
        await dashboard.ScreenshotAsync("near-cap");

        // Below what is spent: the cap is reached and the next call is refused.
        await silo.SetDailyCapAsync("acme", cost / 2);
        await Awaiting("acme's daily bar to say the cap is reached", () => Expect(daily).ToHaveAttributeAsync("data-level", "reached"));
        await Expect(daily.Locator(".limit-status")).ToContainTextAsync("Cap reached");
        await Expect(daily.Locator("[data-figure=remaining]")).ToHaveTextAsync("$0.00 left");
        Assert.Equal(HttpStatusCode.PaymentRequired, (await silo.ChatAsync(silo.Host.StaffKey, "One more question")).Status);
        await Awaiting("acme's refusal and the limit that refused it", () => Expect(dashboard.Tenant("acme").Locator(".refusals li[data-reason=daily_cap_usd]"))
            .ToContainTextAsync("1 call from workspace staff refused by the daily cost cap (daily_cap_usd)"));

        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"), "the page was reloaded; it should update in place");
    }

    [Fact]
    public async Task A_refused_call_shows_on_its_tenant_with_the_limit_that_refused_it()
    {
        await using var dashboard = await silo.OpenAsync("refusal");
        await dashboard.SignInAsync(GatewayHost.AdminKey);
        var broke = dashboard.Tenant("broke");
        await Awaiting("broke's card", () => Expect(broke.Locator(".limit-name").First).ToBeVisibleAsync());
        await Expect(broke.Locator(".refusals")).ToHaveCountAsync(0);

        Assert.Equal(HttpStatusCode.PaymentRequired, (await silo.ChatAsync(silo.Host.BrokeKey, "hello")).Status);

        await Awaiting("broke's refusal", () => Expect(broke.Locator(".refusals li[data-reason=daily_cap_usd]"))
            .ToContainTextAsync("1 call from workspace main refused by the daily cost cap (daily_cap_usd)"));
        await Expect(broke.Locator(".refusals")).ToHaveAttributeAsync("data-refusals", "1");
        // Why: the cap and what is left of it, beside the refusal.
        var daily = dashboard.Limit("broke", "cost_usd", "day");
        await Expect(daily.Locator("[data-figure=limit]")).ToHaveTextAsync("$0.000001");
        await Expect(daily.Locator("[data-figure=remaining]")).ToHaveTextAsync("$0.000001 left");
        await dashboard.ScreenshotAsync("refused");
    }

    [Fact]
    public async Task An_execution_row_that_carries_a_reason_shows_it_as_a_refusal()
    {
        await using var dashboard = await silo.OpenAsync("execution-reason");
        var page = dashboard.Page;
        // The ledger records no refusal rows yet; the row below has the shape the page shows for one: status "denied"
        // and a "reason". It is added to the silo's real executions answer, everything else on the page is real.
        await AmendAnswersAsync(page, "**/admin/tenants/default/executions*", body =>
            body["items"]!.AsArray().Insert(0, new System.Text.Json.Nodes.JsonObject
            {
                ["request_id"] = "refused-1", ["tenant"] = "default", ["workspace"] = "main", ["model"] = "openai/gpt-4o-mini",
                ["tokens_in"] = 0, ["tokens_out"] = 0, ["cost_usd"] = 0, ["estimated_cost_usd"] = 0.0000123, ["latency_ms"] = 2,
                ["status"] = "denied", ["cached"] = false, ["created_at"] = "2026-12-01T10:15:30Z",
                ["reason"] = "Tenant daily_cap_usd $0.000001 has $0.000001 left; this request needs up to $0.0000123.",
            }));
        await dashboard.SignInAsync(GatewayHost.AdminKey);
        await Awaiting("the tenant list", () => Expect(page.Locator("#tenant-select option[value=default]")).ToHaveCountAsync(1));
        await page.Locator("#tenant-select").SelectOptionAsync("default");

        var row = page.Locator("#executions tbody tr[data-request=refused-1]");
        await Awaiting("the refused row in default's executions", () => Expect(row).ToHaveClassAsync("refused"));
        await Expect(row.Locator("td.outcome-refused")).ToHaveTextAsync("Refused");
        await Expect(row.Locator("td.reason")).ToHaveTextAsync("Tenant daily_cap_usd $0.000001 has $0.000001 left; this request needs up to $0.0000123.");
        await Expect(row.Locator("td").First).ToHaveTextAsync("2026-12-01 10:15:30 (UTC)");
        await dashboard.ScreenshotAsync("refused-row");
    }

    [Fact]
    public async Task A_silo_whose_tenants_differ_is_flagged_in_the_silos_panel()
    {
        await using var dashboard = await silo.OpenAsync("cluster-registry-differs");
        var page = dashboard.Page;
        // One real silo cannot disagree with itself: two more silos are added to its real /admin/cluster answer, one
        // holding the silo's registry and one another, in the shape GET /admin/cluster gives them (tested on real silos
        // in the Silo.Tests cluster tests). The page must name the odd one.
        await AmendAnswersAsync(page, "**/admin/cluster", body =>
        {
            var real = body["silos"]![0]!.AsObject();
            var hash = real["registry_hash"]!.GetValue<string>();
            body["silos"]!.AsArray().Add(Peer("silo-same", hash, differs: false));
            body["silos"]!.AsArray().Add(Peer("silo-odd", "0123456789abcdef", differs: true));
            body["registries_agree"] = false;

            System.Text.Json.Nodes.JsonObject Peer(string name, string registry, bool differs) => new()
            {
                ["address"] = "127.0.0.1:11199@1", ["name"] = name, ["host"] = "elsewhere", ["status"] = "active",
                ["started_at"] = "2026-12-01T10:00:00Z", ["uptime_seconds"] = 3725, ["activations"] = 7, ["registry_hash"] = registry,
                ["tenants"] = 3, ["registry_differs"] = differs, ["version"] = real["version"]!.GetValue<string>(),
                ["http_addresses"] = new System.Text.Json.Nodes.JsonArray(), ["is_this_silo"] = false,
            };
        });
        await dashboard.SignInAsync(GatewayHost.AdminKey);

        var odd = page.Locator("#silos tbody tr[data-silo=silo-odd]");
        await Awaiting("the odd silo flagged", () => Expect(odd).ToHaveClassAsync("registry-differs"));
        await Expect(odd).ToContainTextAsync("0123456789abcdef — tenants differ");
        await Expect(odd).ToContainTextAsync("1h 2m");
        await Expect(page.Locator("#silos tbody tr.registry-differs")).ToHaveCountAsync(1);
        await Expect(page.Locator("#registry-agreement")).ToContainTextAsync("Tenants differ from the majority");
        await Expect(page.Locator("#registry-agreement")).ToContainTextAsync("on: silo-odd.");
        await dashboard.ScreenshotAsync("registry-differs");
    }

    /// <summary>Lets the silo answer every request to <paramref name="url"/>, then changes its JSON with <paramref name="amend"/> before the page sees it.</summary>
    private static Task<IAsyncDisposable> AmendAnswersAsync(IPage page, string url, Action<System.Text.Json.Nodes.JsonObject> amend) =>
        page.RouteAsync(url, async route =>
        {
            var response = await route.FetchAsync();
            var body = System.Text.Json.Nodes.JsonNode.Parse(await response.TextAsync())!.AsObject();
            amend(body);
            await route.FulfillAsync(new RouteFulfillOptions { Response = response, Body = body.ToJsonString() });
        });

    /// <summary>A USD amount as the page writes it: two decimals, more (up to eight) for amounts under a dollar.</summary>
    private static string Usd(decimal amount)
    {
        var digits = amount >= 1 ? 2 : amount >= 0.01m ? 4 : 8;
        var rounded = Math.Round(amount, digits, MidpointRounding.AwayFromZero);
        return "$" + rounded.ToString("#,0.00" + new string('#', digits - 2), CultureInfo.InvariantCulture);
    }
}
