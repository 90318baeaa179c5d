using System.ClientModel;
using System.ClientModel.Primitives;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc.Testing;
using OpenAI;
using OpenAI.Chat;
using OrleansTenancy.Grains.Routing;
using OrleansTenancy.OpenRouter.Simulator;

namespace OrleansTenancy.Silo.Tests.Gateway;

/// <summary>
/// A silo with its own tenants folder, data folder and OpenRouter simulator. Tenants: <c>acme</c> (workspaces
/// <c>staff</c> (response cache on) and <c>support</c>, hard daily cap of $10, support limited to gpt-4o-mini), <c>broke</c> (a hard cap
/// no call fits), <c>busy</c> (one request per minute) and <c>default</c>.
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    public const string AdminKey = "gateway-admin-key-0123456789";
    public const string StaffGuild = "1098765432109876543";
    public const string SupportGuild = "1123456789012345678";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "gateway-" + Guid.NewGuid().ToString("N"));
    private readonly bool _strict;
    private readonly bool _adminKey;
    private readonly IReadOnlyDictionary<string, string>? _settings;
    private WebApplicationFactory<Program> _factory;

    /// <summary>The test-only request header that sets the caller's address (the in-process server has none).</summary>
    public const string RemoteAddressHeader = "X-Test-Remote-Address";

    private GatewayHost(SimulatorHost simulator, bool strict, bool kestrel, IReadOnlyDictionary<string, string>? settings, bool adminKey)
    {
        Simulator = simulator;
        _strict = strict;
        _adminKey = adminKey;
        _settings = settings;
        StaffKey = "sk-staff-" + Guid.NewGuid().ToString("N");
        SupportKey = "sk-support-" + Guid.NewGuid().ToString("N");
        BrokeKey = "sk-broke-" + Guid.NewGuid().ToString("N");
        BusyKey = "sk-busy-" + Guid.NewGuid().ToString("N");
        WriteTenants();
        _factory = CreateFactory();
        if (kestrel)
        {
            _factory.UseKestrel(0);
            _factory.StartServer();
            var addresses = _factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
            SocketAddress = new Uri(addresses.First());
        }
    }

    /// <summary>The port of the silo's Orleans gateway, where cluster clients connect.</summary>
    public int OrleansGatewayPort { get; private set; }

    /// <summary>A silo host on free Orleans ports of its own (new ones at each start).</summary>
    private WebApplicationFactory<Program> CreateFactory()
    {
        var cluster = FreePorts.ClusterSettings();
        OrleansGatewayPort = int.Parse(cluster.Single(s => s.Key == "Cluster:GatewayPort").Value, System.Globalization.CultureInfo.InvariantCulture);
        return new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Tenancy:TenantsPath", TenantsPath);
            b.UseSetting("Tenancy:WatchTenants", "false");
            b.UseSetting("Tenancy:DataDirectory", DataPath);
            foreach (var (key, value) in cluster)
            {
                b.UseSetting(key, value);
            }

            if (_adminKey)
            {
                b.UseSetting("Tenancy:AdminKey", AdminKey);
            }

            b.UseSetting("Tenancy:Strict", _strict ? "true" : "false");
            b.UseSetting("OpenRouter:BaseUrl", Simulator.BaseUrl.ToString());
            b.UseSetting("OpenRouter:ApiKey", "sk-or-simulated");
            b.UseSetting("OpenRouter:MaxRetries", "0");

            // The silo's appsettings.json asks for port 8080; a test host listens on a free port of its own.
            b.UseSetting("Urls", "http://127.0.0.1:0");
            foreach (var (key, value) in _settings ?? new Dictionary<string, string>())
            {
                b.UseSetting(key, value);
            }

            b.ConfigureServices(services => services.AddTransient<IStartupFilter, RemoteAddressFromHeader>());
        });
    }

    /// <summary>
    /// Stops the silo (as a clean shutdown does) and starts a new one on the same tenants and data folders, running
    /// <paramref name="whileStopped"/> in between.
    /// </summary>
    public async Task RestartAsync(Func<Task>? whileStopped = null)
    {
        // The factory's dispose can return while the program's own RunAsync is still disposing the container, whose
        // last service holds the data directory's lock: the new silo would find the folder in use.
        var dataLock = _factory.Services.GetRequiredService<OrleansTenancy.Silo.Hosting.DataDirectoryLock>();
        await _factory.DisposeAsync();
        await dataLock.Released.WaitAsync(TimeSpan.FromSeconds(30));
        if (whileStopped is not null)
        {
            await whileStopped();
        }

        _factory = CreateFactory();
        _ = _factory.Server;
    }

    /// <summary>An admin request to this silo (the admin key is sent).</summary>
    public HttpRequestMessage Admin(HttpMethod method, string path, object? body = null) => new(method, path)
    {
        Headers = { { "Authorization", "Bearer " + AdminKey } },
        Content = body is null ? null : System.Net.Http.Json.JsonContent.Create(body),
    };

    /// <summary>The silo's real listening address when started with <c>kestrel: true</c>.</summary>
    public Uri? SocketAddress { get; }

    public SimulatorHost Simulator { get; }

    /// <summary>The silo's services (starts it when it has not started yet).</summary>
    public IServiceProvider Services => _factory.Services;

    /// <summary>Secret of the key bound to acme:staff.</summary>
    public string StaffKey { get; }

    /// <summary>Secret of the key bound to acme:support.</summary>
    public string SupportKey { get; }

    /// <summary>Secret of the key bound to broke:main.</summary>
    public string BrokeKey { get; }

    /// <summary>Secret of the key bound to busy:main (one request per minute).</summary>
    public string BusyKey { get; }

    public string TenantsPath => Path.Combine(_root, "tenants");

    public string DataPath => Path.Combine(_root, "data");

    public static async Task<GatewayHost> StartAsync(bool strict = false, bool kestrel = false, IReadOnlyDictionary<string, string>? settings = null, bool adminKey = true)
    {
        var simulator = await OpenRouterSimulator.StartAsync();
        return new GatewayHost(simulator, strict, kestrel, settings, adminKey);
    }

    public HttpClient CreateClient() => _factory.CreateClient();

    /// <summary>A client whose requests arrive from <paramref name="remote"/> (for example 203.0.113.7, a documentation address).</summary>
    public HttpClient CreateClientFrom(string remote)
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Add(RemoteAddressHeader, remote);
        return client;
    }

    /// <summary>A client that presents the admin key on every request.</summary>
    public HttpClient CreateAdminClient()
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Add("Authorization", "Bearer " + AdminKey);
        return client;
    }

    /// <summary>The official OpenAI client, unmodified, talking to the silo through the test server.</summary>
    public ChatClient OpenAiChat(string apiKey, string model = "openai/gpt-4o-mini") =>
        new(model, new ApiKeyCredential(apiKey), new OpenAIClientOptions
        {
            Endpoint = new Uri(_factory.Server.BaseAddress, "/v1"),
            Transport = new HttpClientPipelineTransport(_factory.CreateClient()),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });

    /// <summary>The official OpenAI client with its own HTTP transport, talking to the silo over a real socket.</summary>
    public ChatClient OpenAiChatOverSocket(string apiKey, string model = "openai/gpt-4o-mini") =>
        new(model, new ApiKeyCredential(apiKey), new OpenAIClientOptions
        {
            Endpoint = new Uri(SocketAddress ?? throw new InvalidOperationException("Start the host with kestrel: true."), "/v1"),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });

    public OpenAIClient OpenAi(string apiKey) =>
        new(new ApiKeyCredential(apiKey), new OpenAIClientOptions
        {
            Endpoint = new Uri(_factory.Server.BaseAddress, "/v1"),
            Transport = new HttpClientPipelineTransport(_factory.CreateClient()),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });

    /// <summary>Starts recording this host's LLM measurements (not those of other hosts in the process).</summary>
    public HostMeasurements Measure(Func<HostMeasurements.Measurement, bool>? awaited = null) =>
        new(_factory.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), awaited);

    /// <summary>
    /// Waits until the settlements sent behind this silo's answers are stored. Orleans does not promise that a later
    /// call reaches a tenant grain after the settlement sent before it, so a test that reads counters or usage, or
    /// retries a finished request id, waits for them first.
    /// </summary>
    public Task SettledAsync() => _factory.Services.GetRequiredService<BackgroundSettlements>().DrainAsync();

    public async Task<string> ScrapeMetricsAsync()
    {
        using var client = CreateAdminClient();
        return await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        await Simulator.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold the file a moment longer on some platforms; the temp folder is unique per host.
        }
    }

    private static string Sha256(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private void WriteTenants()
    {
        Directory.CreateDirectory(DataPath);
        Write("acme/tenant.yaml", $"""
            name: Acme
            timezone: UTC
            workspaces:
              staff:
                discord_guild_id: "{StaffGuild}"
                policy:
                  cache_ttl_seconds: 300
              support:
                discord_guild_id: "{SupportGuild}"
                routing:
                  allowed_models: [openai/gpt-4o-mini]
            api_keys:
              - id: acme-staff
                workspace: staff
                sha256: {Sha256(StaffKey)}
              - id: acme-support
                workspace: support
                sha256: {Sha256(SupportKey)}
            """);
        Write("acme/routing.yaml", """
            allowed_models: [openai/gpt-4o-mini, openai/gpt-4o]
            models:
              default: openai/gpt-4o-mini
            """);
        Write("acme/budgets.yaml", """
            daily_cap_usd: 10
            monthly_cap_usd: 100
            enforcement: hard
            """);
        Write("broke/tenant.yaml", $"""
            name: Broke
            timezone: UTC
            workspaces:
              main:
            api_keys:
              - id: broke-main
                workspace: main
                sha256: {Sha256(BrokeKey)}
            """);
        Write("broke/routing.yaml", """
            allowed_models: [openai/gpt-4o-mini]
            models:
              default: openai/gpt-4o-mini
            """);
        Write("broke/budgets.yaml", """
            daily_cap_usd: 0.000001
            monthly_cap_usd: 1
            enforcement: hard
            """);
        Write("busy/tenant.yaml", $"""
            name: Busy
            timezone: UTC
            workspaces:
              main:
            api_keys:
              - id: busy-main
                workspace: main
                sha256: {Sha256(BusyKey)}
            """);
        Write("busy/policy_overrides.yaml", "requests_per_minute: 1\n");
        Write("default/tenant.yaml", """
            name: Default
            timezone: UTC
            workspaces:
              main:
            """);
        Write("default/budgets.yaml", """
            daily_cap_usd: 10
            monthly_cap_usd: 100
            enforcement: hard
            """);
    }

    private void Write(string relative, string text)
    {
        var path = Path.Combine(TenantsPath, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}

/// <summary>Sets the connection's remote address from <see cref="GatewayHost.RemoteAddressHeader"/>, before the silo's own middleware.</summary>
internal sealed class RemoteAddressFromHeader : IStartupFilter
{
    public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
    {
        app.Use((HttpContext context, RequestDelegate following) =>
        {
            if (context.Request.Headers[GatewayHost.RemoteAddressHeader].ToString() is { Length: > 0 } remote)
            {
                context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse(remote);
            }

            return following(context);
        });
        next(app);
    };
}
