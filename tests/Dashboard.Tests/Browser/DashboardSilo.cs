using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using OrleansTenancy.Silo.Tests.Alerts;
using OrleansTenancy.Silo.Tests.Gateway;

namespace OrleansTenancy.Dashboard.Tests.Browser;

/// <summary>
/// The gateway tests' silo (its tenants <c>acme</c>, <c>broke</c>, <c>busy</c> and <c>default</c>, the OpenRouter
/// simulator upstream) on a loopback port, and one headless Chromium for the browser tests. Each test opens its own
/// browser context (no shared cookies) and drives its own tenant, so tests do not see each other's calls.
/// </summary>
public sealed class DashboardSilo : IAsyncLifetime
{
    /// <summary>How often the page refreshes in these tests: the setting operators use, made short.</summary>
    public const string RefreshInterval = "00:00:01";

    private IPlaywright? _playwright;

    public GatewayHost Host { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The silo's alert webhook receiver (configured as an operator would, through the environment).</summary>
    public WebhookReceiver Webhooks { get; private set; } = null!;

    /// <summary>The receiver's path, holding a token as Slack's and Discord's webhook addresses do.</summary>
    public const string WebhookPath = "hooks/T0SECRET/B0SECRET";

    public Uri Address => Host.SocketAddress!;

    public async Task InitializeAsync()
    {
        // Read by the silo's configuration like any operator's environment variable (Dashboard__RefreshInterval).
        Environment.SetEnvironmentVariable("Dashboard__RefreshInterval", RefreshInterval);
        Webhooks = await WebhookReceiver.StartAsync();
        Environment.SetEnvironmentVariable("Alerts__Webhooks__0__Url", Webhooks.Url(WebhookPath));
        Host = await GatewayHost.StartAsync(kestrel: true);
        _playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Chromium.LaunchAsync(_playwright);
        Assertions.SetDefaultExpectTimeout(15_000);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (Webhooks is not null)
        {
            await Webhooks.DisposeAsync();
        }

        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
    }

    /// <summary>A new browser context and page on the silo; its screenshot is saved when the test disposes it.</summary>
    public async Task<DashboardPage> OpenAsync(string testName)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Address.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        return new DashboardPage(context, await context.NewPageAsync(), testName);
    }

    /// <summary>Sends one chat completion over the socket and returns its status and settled cost (0 when refused).</summary>
    public async Task<(HttpStatusCode Status, decimal Cost)> ChatAsync(string apiKey, string prompt)
    {
        using var http = new HttpClient { BaseAddress = Address };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new { model = "openai/gpt-4o-mini", messages = new[] { new { role = "user", content = prompt } }, max_tokens = 50 }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        using var response = await http.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (response.StatusCode, 0m);
        }

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, body.RootElement.GetProperty("usage").GetProperty("cost").GetDecimal());
    }

    /// <summary>Sets a runtime override of a tenant's daily cost cap through the admin API, as an operator would.</summary>
    public async Task SetDailyCapAsync(string tenant, decimal dailyCapUsd)
    {
        using var http = new HttpClient { BaseAddress = Address };
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/admin/tenants/{tenant}/budget")
        {
            Content = new StringContent(
                string.Create(CultureInfo.InvariantCulture, $"{{\"daily_cap_usd\": {dailyCapUsd}}}"), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatewayHost.AdminKey);
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"PUT /admin/tenants/{tenant}/budget answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardSiloCollection : ICollectionFixture<DashboardSilo>
{
    public const string Name = "dashboard silo and browser";
}
