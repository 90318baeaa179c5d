using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansTenancy.Benchmarks.Calls;
using OrleansTenancy.Grains.Tenants;
using OrleansTenancy.Runtime;
using OrleansTenancy.Runtime.Hosting;

namespace OrleansTenancy.Benchmarks.Hosting;

/// <summary>
/// One silo in this process, wired the way the silo host wires it (grain runtime, product grains, a storage named
/// "Default", the ledger and the registry), with the benchmark grains added. Callers use the silo's own factory.
/// </summary>
public sealed class BenchSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private BenchSilo(IHost host)
    {
        _host = host;
        Grains = host.Services.GetRequiredService<IGrainFactory>();
    }

    public IGrainFactory Grains { get; }

    public IServiceProvider Services => _host.Services;

    public static async Task<BenchSilo> StartAsync(Action<IServiceCollection, GrainRuntimeBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(TimeProvider.System);
        var runtime = builder.Services.AddGrainRuntime(options =>
            {
                // Nothing may be collected while a run is measuring it.
                options.CollectionAge = TimeSpan.FromHours(2);
                options.CollectionQuantum = TimeSpan.FromHours(1);
            })
            .AddGrains(typeof(TenantGrain).Assembly)
            .AddGrains(typeof(EchoGrain).Assembly);
        configure(builder.Services, runtime);
        var host = builder.Build();
        await host.StartAsync();
        return new BenchSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(TimeSpan.FromSeconds(30));
        _host.Dispose();
    }
}
