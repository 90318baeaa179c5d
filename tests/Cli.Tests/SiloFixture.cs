using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OrleansTenancy.OpenRouter.Simulator;

namespace OrleansTenancy.Cli.Tests;

/// <summary>
/// One real silo listening on a loopback port (own temp tenants and data folders, in-process OpenRouter simulator)
/// shared by the CLI tests, which run the built <c>tenancy</c> against it. Tenants: <c>acme</c> (hard caps, an API key
/// for workspace <c>main</c>), <c>beta</c> (hard caps; budget tests change it), <c>gamma</c> (hard caps; the
/// read-modify-write test changes it) and <c>broken</c> (a YAML syntax error).
/// </summary>
public sealed class SiloFixture : IAsyncLifetime
{
    public const string AdminKey = "cli-admin-key-0123456789";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "tenancy-cli-" + Guid.NewGuid().ToString("N"));
    private SimulatorHost? _simulator;
    private WebApplicationFactory<global::Program>? _factory;

    public string AcmeKey { get; } = "sk-acme-" + Guid.NewGuid().ToString("N");

    /// <summary>Holds chosen admin requests inside the silo until the test releases them.</summary>
    public RequestGates Gates { get; } = new();

    /// <summary>The silo's listening address.</summary>
    public Uri Address { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        WriteTenants();
        _simulator = await OpenRouterSimulator.StartAsync();
        _factory = new WebApplicationFactory<global::Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Tenancy:TenantsPath", Path.Combine(_root, "tenants"));
            b.UseSetting("Tenancy:WatchTenants", "false");
            b.UseSetting("Tenancy:DataDirectory", Path.Combine(_root, "data"));
            foreach (var (key, value) in FreePorts.ClusterSettings())
            {
                b.UseSetting(key, value);
            }

            b.UseSetting("Tenancy:AdminKey", AdminKey);
            b.UseSetting("OpenRouter:BaseUrl", _simulator.BaseUrl.ToString());
            b.UseSetting("OpenRouter:ApiKey", "sk-or-simulated");
            b.UseSetting("OpenRouter:MaxRetries", "0");
            // The silo's appsettings.json asks for port 8080; a test host listens on a free port of its own.
            b.UseSetting("Urls", "http://127.0.0.1:0");
            b.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new GateFilter(Gates)));
        });
        _factory.UseKestrel(0);
        _factory.StartServer();
        Address = new Uri(_factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
    }

    /// <summary>The environment of an operator who exported the silo's URL and admin key, plus <paramref name="extra"/>.</summary>
    public Dictionary<string, string> Environment(params (string Name, string Value)[] extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["TENANCY_URL"] = Address.ToString(),
            ["TENANCY_ADMIN_KEY"] = AdminKey,
        };
        foreach (var (name, value) in extra)
        {
            environment[name] = value;
        }

        return environment;
    }

    /// <summary>Runs <c>tenancy</c> against this silo from a script (pipes for standard output and error).</summary>
    public Task<CliRun> RunAsync(params string[] args) => CliProcess.RunAsync(Environment(), args);

    /// <summary>Sends a chat completion as acme:main.</summary>
    public async Task ChatAsync(string content = "hello")
    {
        using var client = new HttpClient { BaseAddress = Address };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { model = "openai/gpt-4o-mini", messages = new[] { new { role = "user", content } } }),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AcmeKey);
        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync()
    {
        Gates.ReleaseAll();
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

    private void WriteTenants()
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(AcmeKey)));
        Write("acme/tenant.yaml", $"""
            name: Acme Corp
            timezone: UTC
            workspaces:
              main:
                discord_guild_id: "1098765432109876543"
            api_keys:
              - id: k1
                workspace: main
                sha256: {sha}
            """);
        Write("acme/routing.yaml", """
            allowed_models: [openai/gpt-4o-mini]
            models:
              default: openai/gpt-4o-mini
            """);
        Write("acme/budgets.yaml", """
            daily_cap_usd: 10
            monthly_cap_usd: 100
            enforcement: hard
            """);
        foreach (var slug in new[] { "beta", "gamma" })
        {
            Write($"{slug}/tenant.yaml", $"""
                name: {slug}
                timezone: UTC
                workspaces:
                  main:
                """);
            Write($"{slug}/budgets.yaml", """
                daily_cap_usd: 5
                monthly_cap_usd: 50
                enforcement: hard
                """);
        }

        Write("broken/tenant.yaml", "workspaces: [1, 2\n");
        Directory.CreateDirectory(Path.Combine(_root, "data"));
    }

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_root, "tenants", relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    /// <summary>Puts the gates in front of every endpoint of the silo.</summary>
    private sealed class GateFilter(RequestGates gates) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                await gates.PassAsync(context);
                await nextMiddleware(context);
            });
            next(app);
        };
    }
}

/// <summary>Gates keyed by request path: the next request to a held path waits inside the silo until released.</summary>
public sealed class RequestGates
{
    private readonly ConcurrentDictionary<string, RequestGate> _held = new(StringComparer.Ordinal);

    /// <summary>Holds the next request to <paramref name="path"/> (e.g. <c>/admin/tenants/acme/reconcile</c>).</summary>
    public RequestGate Hold(string path)
    {
        var gate = new RequestGate();
        Assert.True(_held.TryAdd(path, gate), $"{path} is already held.");
        return gate;
    }

    public void ReleaseAll()
    {
        foreach (var gate in _held.Values)
        {
            gate.Release();
        }
    }

    internal async Task PassAsync(HttpContext context)
    {
        if (_held.TryRemove(context.Request.Path.Value ?? string.Empty, out var gate))
        {
            gate.Enter();
            await gate.Released;
        }
    }
}

/// <summary>One held request: <see cref="Entered"/> completes when it arrives, <see cref="Release"/> lets it through.</summary>
public sealed class RequestGate
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Entered => _entered.Task;

    internal Task Released => _released.Task;

    public void Release() => _released.TrySetResult();

    internal void Enter() => _entered.TrySetResult();
}

[CollectionDefinition(Name)]
public sealed class SiloCollection : ICollectionFixture<SiloFixture>
{
    public const string Name = "silo";
}
