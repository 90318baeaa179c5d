using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using OrleansTenancy.Silo.Tests.Gateway;

namespace OrleansTenancy.Deploy.Tests.Grafana;

/// <summary>
/// The gateway tests' silo on a loopback port, driven through every outcome the dashboard and the alert rules watch,
/// then scraped once over HTTP: a call that fills acme:staff's response cache and one answered from it, a call refused
/// by broke's budget, and an anonymous call that falls back to default:main.
/// </summary>
public sealed class MetricsSilo : IAsyncLifetime
{
    private GatewayHost? _host;

    /// <summary>The silo's <c>/metrics</c> after the calls.</summary>
    public Exposition Scrape { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _host = await GatewayHost.StartAsync(kestrel: true);
        using var http = new HttpClient { BaseAddress = _host.SocketAddress };

        Assert.Equal("miss", await ChatAsync(http, _host.StaffKey, HttpStatusCode.OK));
        Assert.Equal("hit", await ChatAsync(http, _host.StaffKey, HttpStatusCode.OK));
        await ChatAsync(http, _host.BrokeKey, HttpStatusCode.PaymentRequired);
        await ChatAsync(http, null, HttpStatusCode.OK);

        using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        scrape.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatewayHost.AdminKey);
        using var response = await http.SendAsync(scrape);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Scrape = new Exposition(await response.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    /// <summary>Sends one chat completion and returns its X-Cache header.</summary>
    private static async Task<string?> ChatAsync(HttpClient http, string? apiKey, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new { model = "openai/gpt-4o-mini", messages = new[] { new { role = "user", content = "hello" } }, max_tokens = 50 }),
        };
        if (apiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        using var response = await http.SendAsync(request);
        Assert.True(response.StatusCode == expected, $"expected {expected} from the chat call, got {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response.Headers.TryGetValues("X-Cache", out var cache) ? cache.Single() : null;
    }
}

[CollectionDefinition(Name)]
public sealed class MetricsSiloCollection : ICollectionFixture<MetricsSilo>
{
    public const string Name = "metrics silo";
}
