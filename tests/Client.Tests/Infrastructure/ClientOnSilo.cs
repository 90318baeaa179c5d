using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansTenancy.Client;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Routing;
using OrleansTenancy.OpenRouter.Simulator;
using OrleansTenancy.Silo.Tests.Gateway;

namespace OrleansTenancy.Client.Tests.Infrastructure;

/// <summary>
/// The product silo as a test host (tenants of <see cref="GatewayHost"/>: acme, broke, busy, default; the OpenRouter
/// simulator upstream) and a .NET service beside it that added the client with <c>AddOrleansTenancyClient</c> and
/// reaches the silo through its Orleans gateway, as a service on the silo's machine would.
/// </summary>
public sealed class ClientOnSilo : IAsyncLifetime
{
    private IHost? _service;

    public GatewayHost Silo { get; private set; } = null!;

    public TenancyClient Tenancy => Service.Services.GetRequiredService<TenancyClient>();

    public IHost Service => _service ?? throw new InvalidOperationException("The fixture has not started.");

    public SimulatorHost Upstream => Silo.Simulator;

    public async Task InitializeAsync()
    {
        Silo = await GatewayHost.StartAsync();
        _ = Silo.Services; // starts the silo, and with it the gateway
        _service = await StartServiceAsync();
    }

    /// <summary>Starts another service connected to the silo, with its own client settings.</summary>
    public async Task<IHost> StartServiceAsync(Action<TenancyClientOptions>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.AddOrleansTenancyClient(o =>
        {
            o.Gateways = [$"127.0.0.1:{Silo.OrleansGatewayPort}"];
            configure?.Invoke(o);
        });
        var service = builder.Build();
        await service.StartAsync();
        return service;
    }

    /// <summary>
    /// Waits until the settlements of every chat call that returned are stored. A call's answer goes out once its
    /// settlement is sent, so a test that reads usage right after a call waits for them first.
    /// </summary>
    public Task SettledAsync() => Silo.Services.GetRequiredService<BackgroundSettlements>().DrainAsync();

    /// <summary>Runs <paramref name="test"/> with the upstream's knobs set to <paramref name="knobs"/>, then restores them.</summary>
    public async Task WithUpstreamAsync(SimulatorKnobs knobs, Func<Task> test)
    {
        var before = Upstream.State.Defaults;
        Upstream.State.Defaults = knobs;
        try
        {
            await test();
        }
        finally
        {
            Upstream.State.Defaults = before;
        }
    }

    /// <summary>Completes when upstream has read the request with <paramref name="requestId"/> in full.</summary>
    public Task UpstreamReceived(string requestId)
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Upstream.State.RequestReceived += id =>
        {
            if (id == requestId)
            {
                received.TrySetResult();
            }
        };
        return received.Task;
    }

    /// <summary>The usage ledger's row of one request, read through the client.</summary>
    public async Task<ExecutionRecord> RowAsync(TenantClient tenant, string requestId)
    {
        await foreach (var row in tenant.GetExecutionsAsync())
        {
            if (row.RequestId == requestId)
            {
                return row;
            }
        }

        throw new Xunit.Sdk.XunitException($"The usage ledger of tenant '{tenant.Id}' has no row for request '{requestId}'.");
    }

    public async Task DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.StopAsync();
            _service.Dispose();
        }

        await Silo.DisposeAsync();
    }
}
