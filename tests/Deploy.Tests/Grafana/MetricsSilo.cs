using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OrleansTenancy.OpenRouter.Simulator;

namespace OrleansTenancy.Deploy.Tests.Grafana;

/// <summary>
/// A real silo on a loopback port, driven through every outcome the dashboard and the alert rules watch, then scraped
/// once over HTTP: a call that fills acme's response cache and one answered from it, a call refused by broke's
/// budget, and an anonymous call that falls back to default:main.
/// </summary>
public sealed class MetricsSilo : IAsyncLifetime
{
    private const string AdminKey = "deploy-admin-key-0123456789";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "tenancy-deploy-" + Guid.NewGuid().ToString("N"));
    private readonly string _acmeKey = "sk-acme-" + Guid.NewGuid().ToString("N");
    private readonly string _brokeKey = "sk-broke-" + Guid.NewGuid().ToString("N");
    private SimulatorHost? _simulator;
    private WebApplicationFactory<Program>? _factory;

    /// <summary>The silo's <c>/metrics</c> after the calls.</summary>
    public Exposition Scrape { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        WriteTenants();
        _simulator = await OpenRouterSimulator.StartAsync();
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Tenancy:TenantsPath", Path.Combine(_root, "tenants"));
            b.UseSetting("Tenancy:WatchTenants", "false");
            b.UseSetting("Tenancy:DataDirectory", Path.Combine(_root, "data"));
            b.UseSetting("Tenancy:AdminKey", AdminKey);
            b.UseSetting("Tenancy:Strict", "false");
            b.UseSetting("OpenRouter:BaseUrl", _simulator.BaseUrl.ToString());
            b.UseSetting("OpenRouter:ApiKey", "sk-or-simulated");
            b.UseSetting("OpenRouter:MaxRetries", "0");
        });
        _factory.UseKestrel(0);
        _factory.StartServer();
        var address = new Uri(_factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        using var http = new HttpClient { BaseAddress = address };

        Assert.Equal("miss", await ChatAsync(http, _acmeKey, HttpStatusCode.OK));
        Assert.Equal("hit", await ChatAsync(http, _acmeKey, HttpStatusCode.OK));
        await ChatAsync(http, _brokeKey, HttpStatusCode.PaymentRequired);
        await ChatAsync(http, null, HttpStatusCode.OK);

        using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        scrape.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        using var response = await http.SendAsync(scrape);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Scrape = new Exposition(await response.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        if (_simulator is not null)
        {
            await _simulator.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold its file a moment longer; the folder name is unique per run.
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

    private void WriteTenants()
    {
        Directory.CreateDirectory(Path.Combine(_root, "data"));
        Write("default/tenant.yaml", "name: Default\ntimezone: UTC\nworkspaces:\n  main:\n");
        Write("default/budgets.yaml", "daily_cap_usd: 10\nmonthly_cap_usd: 100\nenforcement: hard\n");
        Write("acme/tenant.yaml", $"""
            name: Acme
            timezone: UTC
            workspaces:
              staff:
                policy:
                  cache_ttl_seconds: 300
            api_keys:
              - id: acme-staff
                workspace: staff
                sha256: {Sha256(_acmeKey)}
            """);
        Write("acme/budgets.yaml", "daily_cap_usd: 10\nmonthly_cap_usd: 100\nenforcement: hard\n");
        Write("broke/tenant.yaml", $"""
            name: Broke
            timezone: UTC
            workspaces:
              main:
            api_keys:
              - id: broke-main
                workspace: main
                sha256: {Sha256(_brokeKey)}
            """);
        Write("broke/budgets.yaml", "daily_cap_usd: 0.000001\nmonthly_cap_usd: 1\nenforcement: hard\n");
    }

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_root, "tenants", relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private static string Sha256(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}

[CollectionDefinition(Name)]
public sealed class MetricsSiloCollection : ICollectionFixture<MetricsSilo>
{
    public const string Name = "metrics silo";
}
