using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Playwright;
using OrleansTenancy.Silo.Tests.Gateway;
using static Microsoft.Playwright.Assertions;
using static OrleansTenancy.Dashboard.Tests.Browser.DashboardPage;

namespace OrleansTenancy.Dashboard.Tests.Browser;

/// <summary>The Alerts panel shows the alerts a tenant fired and their delivery to the silo's webhook, its address redacted.</summary>
[Collection(DashboardSiloCollection.Name)]
public sealed class AlertsPanelBrowserTests(DashboardSilo silo)
{
    [Fact]
    public async Task A_fired_alert_shows_with_its_delivery_and_no_secret_of_the_webhook()
    {
        await using var dashboard = await silo.OpenAsync("alerts");
        var page = dashboard.Page;
        await dashboard.SignInAsync(GatewayHost.AdminKey);

        // Soft, with a cap far below one call: the next call of default:main crosses 50, 80 and 100 % at once.
        using var http = new HttpClient { BaseAddress = silo.Address };
        using (var put = new HttpRequestMessage(HttpMethod.Put, "/admin/tenants/default/budget")
        {
            Content = new StringContent("""{"daily_cap_usd": 0.0000001, "enforcement": "soft"}""", Encoding.UTF8, "application/json"),
        })
        {
            put.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatewayHost.AdminKey);
            using var answer = await http.SendAsync(put);
            Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
        }

        using (var chat = await http.PostAsJsonAsync("/v1/chat/completions", new { model = "openai/gpt-4o-mini", messages = new[] { new { role = "user", content = "hello" } }, max_tokens = 20 }))
        {
            Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        }

        var alert = page.Locator("#alerts li[data-tenant=default][data-limit=daily_cap_usd][data-threshold='80']");
        await Awaiting("the 80 % alert of default's daily cap", () => Expect(alert).ToContainTextAsync("the 80.0 % threshold fired at"));
        await Awaiting("its delivery to the silo's webhook", () => Expect(alert.Locator("li[data-status=delivered]"))
            .ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^json webhook http://127\.0\.0\.1:\d+/hooks/\*\*\*: delivered \(1 attempt\)$")));
        await Expect(page.Locator("#alerts li[data-tenant=default][data-limit=daily_cap_usd]")).ToHaveCountAsync(3);
        Assert.Contains(silo.Webhooks.Received, r => r.IdempotencyKey.StartsWith("default/*/daily_cap_usd/", StringComparison.Ordinal) && r.IdempotencyKey.EndsWith("/80", StringComparison.Ordinal));
        Assert.DoesNotContain("SECRET", await page.ContentAsync(), StringComparison.Ordinal);
        await dashboard.ScreenshotAsync("fired");
    }
}
