using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OrleansTenancy.Silo.Dashboard;
using OrleansTenancy.Silo.Tests.Gateway;
using static Microsoft.Playwright.Assertions;
using static OrleansTenancy.Dashboard.Tests.Browser.DashboardPage;

namespace OrleansTenancy.Dashboard.Tests.Browser;

/// <summary>Orleans' own dashboard on the silo, opened in headless Chromium from the tenant dashboard, with no network but the silo.</summary>
[Collection(DashboardSiloCollection.Name)]
public sealed class OrleansDashboardBrowserTests(DashboardSilo silo)
{
    private const string Prefix = OrleansDashboardHosting.RoutePrefix;

    [Fact]
    public async Task The_Orleans_dashboard_opens_from_the_tenant_dashboard_after_sign_in_with_every_asset_from_the_silo()
    {
        await using var dashboard = await silo.OpenAsync("orleans-dashboard");
        var page = dashboard.Page;
        var elsewhere = new ConcurrentQueue<string>();
        await dashboard.Context.RouteAsync("**/*", async route =>
        {
            var url = new Uri(route.Request.Url);
            if (url.Scheme is "http" or "https" && (url.Host != silo.Address.Host || url.Port != silo.Address.Port))
            {
                // Offline, as on a silo without internet access: a CDN request fails and is recorded.
                elsewhere.Enqueue(route.Request.Url);
                await route.AbortAsync("internetdisconnected");
                return;
            }

            await route.ContinueAsync();
        });

        var signedOut = await page.GotoAsync($"{Prefix}/");
        Assert.Equal((int)HttpStatusCode.Unauthorized, signedOut!.Status);

        await dashboard.SignInAsync(GatewayHost.AdminKey);
        var counters = await page.RunAndWaitForResponseAsync(
            () => page.Locator("#orleans-dashboard").ClickAsync(),
            r => r.Url.Contains($"{Prefix}/DashboardCounters", StringComparison.Ordinal));
        Assert.Equal((int)HttpStatusCode.OK, counters.Status);
        await Awaiting("the Orleans dashboard's page", () => Expect(page).ToHaveURLAsync(new Regex($"{Regex.Escape(Prefix)}/$")));
        await Awaiting("the Orleans dashboard's navigation", () => Expect(page.GetByText("Grain Details")).ToBeVisibleAsync());
        await Awaiting("the cluster's silo count read from the silo", () => Expect(page.GetByText(new Regex("active silos", RegexOptions.IgnoreCase))).ToBeVisibleAsync());
        await dashboard.ScreenshotAsync("orleans");
        Assert.Empty(elsewhere);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("not-the-admin-key-at-all", HttpStatusCode.Unauthorized)]
    [InlineData(GatewayHost.AdminKey, HttpStatusCode.OK)]
    public async Task The_Orleans_dashboards_data_needs_the_admin_key(string? key, HttpStatusCode expected)
    {
        using var http = new HttpClient { BaseAddress = silo.Address };
        foreach (var path in new[] { $"{Prefix}/", $"{Prefix}/index.min.js", $"{Prefix}/ClusterStats" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (key is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }

            using var response = await http.SendAsync(request);
            Assert.True(response.StatusCode == expected, $"GET {path} with key '{key}' answered {(int)response.StatusCode}, expected {(int)expected}");
        }
    }
}
