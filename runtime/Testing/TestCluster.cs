using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansTenancy.Runtime.Client;
using OrleansTenancy.Runtime.Hosting;
using OrleansTenancy.Runtime.Membership;
using OrleansTenancy.Runtime.Messaging;
using OrleansTenancy.Runtime.Metadata;

namespace OrleansTenancy.Runtime.Testing;

/// <summary>One silo of a <see cref="TestCluster"/>, with its own host and services.</summary>
public sealed class TestSilo
{
    internal TestSilo(IHost host)
    {
        Host = host;
        Silo = host.Services.GetRequiredService<Silo>();
    }

    /// <summary>The silo's host.</summary>
    public IHost Host { get; }

    /// <summary>The silo.</summary>
    public Silo Silo { get; }

    /// <summary>The silo's address.</summary>
    public SiloAddress Address => Silo.Address;

    /// <summary>The silo's services.</summary>
    public IServiceProvider Services => Host.Services;

    /// <summary>A factory whose calls start on this silo (as grain code on it would call).</summary>
    public IGrainFactory GrainFactory => Silo.GrainFactory;

    /// <summary>Whether the silo is running.</summary>
    public bool IsActive => Silo.Status == SiloStatus.Active;
}

/// <summary>
/// An in-process cluster for tests: silos sharing an in-memory membership table, an in-memory transport
/// and one clock, plus a client that places calls by the same consistent hash. Build it with
/// <see cref="TestClusterBuilder"/>; dispose it to stop everything.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly Assembly[] _assemblies;
    private readonly Action<IServiceCollection>[] _services;
    private readonly Action<GrainRuntimeBuilder>[] _runtime;
    private readonly Action<GrainRuntimeOptions>[] _options;
    private readonly List<TestSilo> _silos = [];
    private ClusterClient? _client;
    private int _nextPort = 30000;

    internal TestCluster(TimeProvider time, Assembly[] assemblies, Action<IServiceCollection>[] services, Action<GrainRuntimeBuilder>[] runtime, Action<GrainRuntimeOptions>[] options)
    {
        TimeProvider = time;
        _assemblies = assemblies;
        _services = services;
        _runtime = runtime;
        _options = options;
    }

    /// <summary>The clock every silo and the client use.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The clock as a <see cref="ManualTimeProvider"/> (null if the builder was given another clock).</summary>
    public ManualTimeProvider? Time => TimeProvider as ManualTimeProvider;

    /// <summary>The shared membership table.</summary>
    public InMemoryMembershipTable MembershipTable { get; } = new();

    /// <summary>The shared transport.</summary>
    public InMemoryMessageTransport Transport { get; } = new();

    /// <summary>The silos started so far, stopped ones included.</summary>
    public IReadOnlyList<TestSilo> Silos => _silos;

    /// <summary>The silos currently running.</summary>
    public IEnumerable<TestSilo> ActiveSilos => _silos.Where(s => s.IsActive);

    /// <summary>The cluster client: calls from outside the silos, always serialized.</summary>
    public IGrainFactory Client => _client ?? throw new InvalidOperationException("The cluster client is not connected yet.");

    /// <summary>Starts one more silo and waits until it is Active.</summary>
    public async Task<TestSilo> StartSiloAsync(CancellationToken cancellationToken = default)
    {
        var port = _nextPort++;
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton(TimeProvider);

        // A test that leaves a call blocked must not hold the whole run for the default 30 s per silo.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        var runtime = builder.Services.AddGrainRuntime(options =>
        {
            options.SiloHost = "inproc";
            options.SiloPort = port;
            options.IsolateLocalCalls = true;
            foreach (var configure in _options)
            {
                configure(options);
            }
        });
        runtime.UseMembershipTable(_ => MembershipTable).UseTransport(_ => Transport);
        foreach (var assembly in _assemblies)
        {
            runtime.AddGrains(assembly);
        }

        foreach (var configure in _runtime)
        {
            configure(runtime);
        }

        foreach (var configure in _services)
        {
            configure(builder.Services);
        }

        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        var silo = new TestSilo(host);
        _silos.Add(silo);
        return silo;
    }

    /// <summary>Stops a silo gracefully: it leaves the ring, deactivates its activations and stops listening.</summary>
    public async Task StopSiloAsync(TestSilo silo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(silo);
        await silo.Host.StopAsync(cancellationToken);
        await DisposeHostAsync(silo.Host);
        if (_client is not null)
        {
            await _client.RefreshMembershipAsync(cancellationToken);
        }
    }

    /// <summary>The silo that owns <paramref name="grainId"/> in the client's current view.</summary>
    public TestSilo GetOwner(GrainIdentity grainId)
    {
        var owner = _client?.MembershipView.Ring.GetOwner(grainId) ?? throw new InvalidOperationException("No silo is active.");
        return _silos.Single(s => s.Address == owner);
    }

    /// <summary>The silo that owns the grain <typeparamref name="TGrainInterface"/>/<paramref name="key"/>.</summary>
    public TestSilo GetOwner<TGrainInterface>(string key)
        where TGrainInterface : IGrainWithStringKey =>
        GetOwner(new GrainIdentity(typeof(TGrainInterface).FullName!, key));

    internal async Task ConnectClientAsync(CancellationToken cancellationToken)
    {
        var options = new GrainRuntimeOptions();
        foreach (var configure in _options)
        {
            configure(options);
        }

        _client = await ClusterClient.ConnectAsync(
            new SiloAddress("client", 1, TimeProvider.GetUtcNow().ToUnixTimeMilliseconds()),
            new GrainTypeRegistry(_assemblies),
            MembershipTable,
            Transport,
            new GrainSerializationOptions(),
            TimeProvider,
            options.ResponseTimeout,
            loggers: null,
            cancellationToken);
    }

    /// <summary>Disconnects the client and stops every running silo.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        foreach (var silo in _silos.Where(s => s.IsActive).Reverse().ToList())
        {
            await silo.Host.StopAsync();
            await DisposeHostAsync(silo.Host);
        }
    }

    // The silo is only asynchronously disposable, so the host must be disposed asynchronously too.
    private static async ValueTask DisposeHostAsync(IHost host)
    {
        if (host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync();
        }
        else
        {
            host.Dispose();
        }
    }
}
