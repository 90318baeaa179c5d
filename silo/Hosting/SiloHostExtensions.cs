using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using OrleansTenancy.Grains.Routing;
using OrleansTenancy.Tenancy.Context;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Silo.Hosting;

/// <summary>Wiring of the silo host.</summary>
public static partial class SiloHostExtensions
{
    /// <summary>Command-line switches that map onto configuration keys.</summary>
    public static readonly IReadOnlyDictionary<string, string> SwitchMappings = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--tenants"] = $"{TenancyHostOptions.SectionName}:{nameof(TenancyHostOptions.TenantsPath)}",
    };

    /// <summary>
    /// Adds configuration, options, the tenant registry and JSON conventions (snake_case field names, the
    /// same as the YAML files) to the host.
    /// </summary>
    public static WebApplicationBuilder AddTenancySilo(this WebApplicationBuilder builder, string[] args)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Configuration.AddCommandLine(args, SwitchMappings.ToDictionary());

        // Taken before anything touches the data directory; the container releases it when the host is disposed
        // (Program resolves it right after Build, so it is released even when the host never starts).
        var host = builder.Configuration.GetSection(TenancyHostOptions.SectionName).Get<TenancyHostOptions>() ?? new TenancyHostOptions();
        var dataLock = DataDirectoryLock.Acquire(host.DataDirectory, host.SettlementsDirectory);
        builder.Services.AddSingleton(_ => dataLock);

        builder.Services.AddOptions<TenancyHostOptions>()
            .BindConfiguration(TenancyHostOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TenancyHostOptions>, TenancyHostOptionsValidator>();
        builder.Services.AddOptions<TenancyOptions>().BindConfiguration(TenancyHostOptions.SectionName);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<TenantRegistryService>();
        builder.Services.AddSingleton<ITenantRegistrySource>(sp => sp.GetRequiredService<TenantRegistryService>());
        builder.Services.AddHostedService<StartupReport>();
        builder.Services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));

        // Header bytes that are not UTF-8 would be refused by the server itself with an empty 400; read as Latin-1 they
        // reach the gateway, which refuses them with a body naming the header (every header it reads is ASCII).
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel => kestrel.RequestHeaderEncodingSelector = _ => Encoding.Latin1);
        builder.Services.AddProblemDetails();
        builder.Services.AddTenancyAdminAccess();
        return builder;
    }

    /// <summary>
    /// The JSON conventions of every HTTP API: snake_case names, enums as snake_case strings, no nulls, and text written
    /// as it reads (<c>'</c>, <c>&lt;</c> and non-ASCII letters are not escaped: these bodies are JSON documents, never
    /// embedded in HTML).
    /// </summary>
    public static void ConfigureJson(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
    }

    /// <summary>Logs the effective settings (secrets redacted) once the host has started.</summary>
    private sealed partial class StartupReport(
        IOptions<TenancyHostOptions> options,
        IOptions<TenancyOptions> tenancy,
        IOptions<ClusterHostOptions> cluster,
        ITenantRegistrySource registry,
        ISettlementOutbox settlements,
        ILogger<StartupReport> logger,
        SettlementOptions? settlementOptions = null) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            LogSettings(logger, options.Value.ToString(), tenancy.Value.ResolveStrict(Environment.GetEnvironmentVariable), registry.Current.Tenants.Count);
            LogCluster(logger, cluster.Value.ToString());
            var folder = (settlements as SettlementJournal)?.Folder ?? (settlements as FileSettlementOutbox)?.Folder;
            if (settlementOptions is { AnswerOnceKept: true })
            {
                LogSettlementsJournaled(logger, folder);
            }
            else
            {
                LogSettlementsStored(logger, folder);
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Information, Message = "Silo settings: {Settings}, Strict={Strict}; {Tenants} tenant(s) loaded")]
        private static partial void LogSettings(ILogger logger, string settings, bool strict, int tenants);

        [LoggerMessage(Level = LogLevel.Information, Message = "Cluster settings: {Settings}")]
        private static partial void LogCluster(ILogger logger, string settings);

        [LoggerMessage(Level = LogLevel.Information, Message = "Settlements: a call is answered once its settlement is in the journal at {Folder} (single silo); the tenant grain stores it behind the answer")]
        private static partial void LogSettlementsJournaled(ILogger logger, string? folder);

        [LoggerMessage(Level = LogLevel.Information, Message = "Settlements: a call is answered once its tenant grain stored the settlement (cluster); one that fails is kept at {Folder} and retried")]
        private static partial void LogSettlementsStored(ILogger logger, string? folder);
    }
}
