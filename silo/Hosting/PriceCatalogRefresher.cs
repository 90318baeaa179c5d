using OrleansTenancy.OpenRouter;
using OrleansTenancy.Tenancy.Pricing;

namespace OrleansTenancy.Silo.Hosting;

/// <summary>
/// Refreshes the model price catalog from upstream's <c>GET /models</c> (prices as USD strings per token) at start
/// and then every <see cref="Interval"/>. When upstream is unreachable the shipped catalog stays in force; a refresh
/// only ever adds or updates prices, so a model missing from a partial answer keeps its last known price.
/// </summary>
public sealed partial class PriceCatalogRefresher(
    IServiceProvider services,
    PriceCatalogHolder prices,
    TimeProvider time,
    ILogger<PriceCatalogRefresher> logger) : BackgroundService
{
    /// <summary>How often prices are refreshed after the first time. Six hours.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromHours(6);

    private readonly TaskCompletionSource _firstRefresh = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the first refresh attempt has ended (successfully or not).</summary>
    public Task FirstRefresh => _firstRefresh.Task;

    /// <summary>Fetches prices once; returns how many models were priced, or <see langword="null"/> when upstream did not answer.</summary>
    public async Task<int?> RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Resolved late: the upstream address is settled only once the host has started (embedded simulator).
            var models = await services.GetRequiredService<OpenRouterClient>().ListModelsAsync(cancellationToken);
            prices.Replace(prices.Current.With(
                models.Select(m => KeyValuePair.Create(m.Id, new ModelPrice(m.PromptPerToken, m.CompletionPerToken, m.MaxCompletionTokens, m.ContextLength))),
                "upstream /models"));
            LogRefreshed(models.Count, prices.Current.Count);
            return models.Count;
        }
        catch (Exception error) when (error is OpenRouterException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogUnreachable(error.Message);
            return null;
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RefreshAsync(stoppingToken);
        }
        finally
        {
            _firstRefresh.TrySetResult();
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(Interval, time, stoppingToken);
            await RefreshAsync(stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model prices refreshed from upstream /models: {Models} model(s); catalog now holds {Total}")]
    private partial void LogRefreshed(int models, int total);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model prices not refreshed (upstream /models unreachable: {Reason}); the shipped catalog stays in force")]
    private partial void LogUnreachable(string reason);
}
