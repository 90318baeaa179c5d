using OrleansTenancy.Grains.Routing;
using OrleansTenancy.Grains.Workspaces;
using OrleansTenancy.OpenRouter;
using OrleansTenancy.OpenRouter.Simulator;

namespace OrleansTenancy.Silo.Hosting;

/// <summary>Puts the routing path (router, upstream, workspace memory) into the silo host.</summary>
public static partial class RoutingHostingExtensions
{
    /// <summary>
    /// Adds the LLM router and workspace memory. The upstream is OpenRouter when an API key is configured
    /// (<c>OPENROUTER_API_KEY</c> or <c>OpenRouter:ApiKey</c>) or a base URL is set explicitly; with neither, the silo
    /// starts the OpenRouter simulator on a loopback port and uses it — and says so loudly at start — so that the
    /// embedded default answers without credentials or network.
    /// </summary>
    public static WebApplicationBuilder AddTenancyRouting(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var upstream = OpenRouterOptions.FromConfiguration(builder.Configuration);
        var simulate = upstream.ApiKey is null && upstream.BaseUrl == OpenRouterOptions.DefaultBaseUrl;
        builder.Services.AddLlmRouter(builder.Configuration);

        // Settlements a tenant grain has not stored yet wait here, in this silo's settlements folder, until it has. A single
        // silo is the one that resumes its folder after a crash, so it journals every settlement and answers once the
        // journal holds it; a cluster's silo may never come back, so it answers once the tenant grain stored it.
        var host = builder.Configuration.GetSection(TenancyHostOptions.SectionName).Get<TenancyHostOptions>() ?? new TenancyHostOptions();
        var cluster = builder.Configuration.GetSection(ClusterHostOptions.SectionName).Get<ClusterHostOptions>() ?? new ClusterHostOptions();
        var settlements = host.SettlementsFolder;
        if (cluster.IsShared)
        {
            builder.Services.AddSingleton<ISettlementOutbox>(sp =>
                new FileSettlementOutbox(settlements, sp.GetRequiredService<ILogger<FileSettlementOutbox>>()));
        }
        else
        {
            builder.Services.AddSingleton(new SettlementOptions { AnswerOnceKept = true });
            builder.Services.AddSingleton<ISettlementOutbox>(sp => new SettlementJournal(settlements, sp.GetRequiredService<ILoggerFactory>()));
        }

        builder.Services.AddWorkspaceMemory(o => builder.Configuration.GetSection("WorkspaceMemory").Bind(o));

        // The simulator starts with the host (not while it is being built) and points the upstream options at itself
        // before the first call resolves the OpenRouter client.
        builder.Services.AddHostedService(sp => new UpstreamHost(sp.GetRequiredService<OpenRouterOptions>(), simulate, sp.GetRequiredService<ILogger<UpstreamHost>>()));

        // After the upstream host (hosted services start in registration order), so prices come from the simulator too.
        builder.Services.AddSingleton<PriceCatalogRefresher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PriceCatalogRefresher>());

        // Registered after the Orleans silo, so it stops before it (hosted services stop in reverse order): the
        // settlements still in flight reach the tenant grains before they are deactivated.
        builder.Services.AddHostedService(sp => new SettlementDrain(sp.GetRequiredService<BackgroundSettlements>()));
        return builder;
    }

    /// <summary>
    /// On start, sends again the settlements an earlier run kept in the outbox; on shutdown, waits for the settlements
    /// sent behind answers (bounded by the host's shutdown timeout), leaving those not stored yet in the outbox.
    /// </summary>
    private sealed class SettlementDrain(BackgroundSettlements settlements) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => settlements.ResumeAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => settlements.DrainAsync(cancellationToken);
    }

    /// <summary>Starts (and stops) the embedded simulator when there is no upstream key, and logs which upstream is used.</summary>
    private sealed partial class UpstreamHost(OpenRouterOptions options, bool simulate, ILogger<UpstreamHost> logger) : IHostedService
    {
        private SimulatorHost? _simulator;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (!simulate)
            {
                LogUpstream(logger, options.BaseUrl);
                return;
            }

            _simulator = await OpenRouterSimulator.StartAsync(cancellationToken: cancellationToken);
            options.BaseUrl = _simulator.BaseUrl;
            LogSimulated(logger, _simulator.BaseUrl);
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            if (_simulator is not null)
            {
                await _simulator.DisposeAsync();
            }
        }

        [LoggerMessage(Level = LogLevel.Warning, Message = "NO OPENROUTER API KEY: LLM calls go to the built-in OpenRouter SIMULATOR at {BaseUrl}. Answers are synthetic and cost is simulated. Set OPENROUTER_API_KEY to call OpenRouter.")]
        private static partial void LogSimulated(ILogger logger, Uri baseUrl);

        [LoggerMessage(Level = LogLevel.Information, Message = "LLM upstream: {BaseUrl}")]
        private static partial void LogUpstream(ILogger logger, Uri baseUrl);
    }
}
