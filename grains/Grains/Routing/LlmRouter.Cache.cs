using System.Text.Json;
using Microsoft.Extensions.Logging;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Resilience;
using OrleansTenancy.OpenRouter.Wire;
using OrleansTenancy.Tenancy.Memory;
using TenantContext = OrleansTenancy.Tenancy.TenantContext;

namespace OrleansTenancy.Grains.Routing;

public sealed partial class LlmRouter
{
    /// <summary>
    /// The workspace's cached answer to this exact request, recorded as a cached execution (no cost, one ledger row), or
    /// <see langword="null"/> on a miss. Only non-streaming calls with a positive <c>cache_ttl_seconds</c> use the cache.
    /// A hit is an execution like any other: it is reserved (no cost, no tokens, one execution) before it is answered,
    /// so execution limits refuse it and its request id follows the same rules.
    /// </summary>
    private async Task<RouteResult?> TryCachedAsync(ITenantGrain tenant, RoutePlan plan, IWorkspaceGrain workspace, string cacheKey)
    {
        var primary = plan.Attempts[0];
        var model = primary.Model;
        var cached = await _retry.RunAsync(() => workspace.TryGetCachedAsync(cacheKey), $"cache read {plan.Context}");
        if (cached is null)
        {
            _metrics.RecordCacheMiss(plan.Context, model);
            return null;
        }

        _metrics.RecordCacheHit(plan.Context, model);
        await ReserveAsync(tenant, plan, primary with { Estimate = primary.Estimate with { PromptTokens = 0, CompletionTokens = 0, CostUsd = 0m } }, plan.RequestId, [], fallback: false);
        var settlement = new SettleRequest { RequestId = plan.RequestId, Workspace = plan.Context.Workspace };
        var details = Details(plan, Ledger.UsageStatus.Ok, cached.Model, cached.Provider, TimeSpan.Zero) with { Cached = true };
        await _retry.RunAsync(() => tenant.SettleAsync(settlement, details), $"settle cached {plan.Context.Tenant}/{plan.RequestId}");
        return new RouteResult
        {
            RequestId = plan.RequestId,
            Context = plan.Context,
            FellBack = plan.FellBack,
            Model = cached.Model,
            Provider = cached.Provider,
            Response = JsonSerializer.Deserialize(cached.Payload, OpenRouterJsonContext.Default.ChatCompletionResponse),
            Cached = true,
        };
    }

    /// <summary>
    /// Stores an answer; neither a refusal by the cache (too large, over its limits) nor a workspace grain the cluster
    /// cannot reach in time fails the call that was already paid.
    /// </summary>
    private async Task StoreCachedAsync(IWorkspaceGrain workspace, string cacheKey, RouteResult result, TimeSpan ttl)
    {
        if (result.Response is null)
        {
            return;
        }

        var answer = new CachedResponse
        {
            Payload = JsonSerializer.Serialize(result.Response, OpenRouterJsonContext.Default.ChatCompletionResponse),
            Model = result.Model,
            Provider = result.Provider,
            PromptTokens = result.PromptTokens,
            CompletionTokens = result.CompletionTokens,
            CostUsd = result.CostUsd,
        };
        try
        {
            // Storing the same answer under the same key again changes nothing.
            await _retry.RunAsync(() => workspace.PutCachedAsync(cacheKey, answer, ttl), $"cache write {result.Context}");
        }
        catch (Exception refused) when (refused is ArgumentException || GrainCallRetry.IsTransient(refused))
        {
            LogNotCached(result.Context.ToString(), refused.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Context}: answer not cached: {Reason}")]
    private partial void LogNotCached(string context, string reason);

    /// <summary>The cache key: tenant, workspace, model, provider preferences and the whole request as sent upstream.</summary>
    private string CacheKey(RoutePlan plan)
    {
        var request = UpstreamRequest(plan, plan.Attempts[0]);
        request.Stream = null;
        request.User = null;
        var element = JsonSerializer.SerializeToElement(request, OpenRouterJsonContext.Default.ChatCompletionRequest);
        return ResponseCacheKey.Compute(plan.Context, plan.Attempts[0].Model, _registry.Current.GetRouting(plan.Context).Providers, element.GetProperty("messages"), element);
    }
}
