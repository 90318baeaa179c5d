using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Ledger;
using OrleansTenancy.OpenRouter;
using OrleansTenancy.OpenRouter.Wire;
using OrleansTenancy.Tenancy.Pricing;
using TenantContext = OrleansTenancy.Tenancy.TenantContext;

namespace OrleansTenancy.Grains.Routing;

public sealed partial class LlmRouter
{
    private async Task<RouteResult> CallAsync(ITenantGrain tenant, RoutePlan plan, PlannedAttempt attempt, string requestId, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        ChatCompletionResult result;
        try
        {
            result = await _upstream.CompleteAsync(UpstreamRequest(plan, attempt), CallOptions(requestId), cancellationToken);
        }
        catch (Exception error) when (error is OpenRouterException or OperationCanceledException or HttpRequestException)
        {
            await EndBeforeOutputAsync(tenant, plan, attempt, requestId, error, started);
            if (Refusal(error, plan) is { } refusal)
            {
                throw refusal;
            }

            throw;
        }

        var usage = result.Usage;
        var consumed = new Consumed(usage?.PromptTokens ?? attempt.Estimate.PromptTokens, usage?.CompletionTokens ?? 0, usage?.Cost);
        var model = result.Model ?? attempt.Model;
        var settled = await SettleAsync(plan, attempt, requestId, consumed, UsageStatus.Ok, model, result.Response.Provider, started);
        return settled with { Response = result.Response };
    }

    private async Task<RouteResult> StreamCallAsync(
        ITenantGrain tenant, RoutePlan plan, PlannedAttempt attempt, string requestId,
        Func<ChatCompletionChunk, CancellationToken, ValueTask> onChunk, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        StreamingCompletion stream;
        try
        {
            stream = await _upstream.StartStreamAsync(UpstreamRequest(plan, attempt), CallOptions(requestId), cancellationToken);
        }
        catch (Exception error) when (error is OpenRouterException or OperationCanceledException or HttpRequestException)
        {
            await EndBeforeOutputAsync(tenant, plan, attempt, requestId, error, started);
            if (Refusal(error, plan) is { } refusal)
            {
                throw refusal;
            }

            throw;
        }

        await using (stream)
        {
            // Estimated from the streamed text itself (script-aware), for a stream that ends without upstream's usage.
            long streamedTokens = 0;
            try
            {
                await foreach (var chunk in stream.ReadChunksAsync(cancellationToken))
                {
                    foreach (var choice in chunk.Choices)
                    {
                        streamedTokens += TokenEstimator.EstimateText(choice.Delta?.Content);
                    }

                    await onChunk(chunk, cancellationToken);
                }
            }
            catch (Exception error) when (error is OpenRouterException or OperationCanceledException or HttpRequestException or IOException)
            {
                // Output may have reached the caller: bill what was consumed (upstream's usage if it arrived, else the
                // prompt and the streamed text), never zero.
                var consumed = stream.Usage is { } partial
                    ? new Consumed(partial.PromptTokens, partial.CompletionTokens, partial.Cost)
                    : new Consumed(attempt.Estimate.PromptTokens, streamedTokens, null);
                var status = error is OperationCanceledException ? UsageStatus.Cancelled : stream.OutputStarted ? UsageStatus.Incomplete : UsageStatus.Error;
                if (!stream.OutputStarted && error is OpenRouterException { ChargeMayHaveOccurred: false })
                {
                    await EndFailedAsync(tenant, plan, attempt, requestId, null, status, started);
                }
                else
                {
                    await SettleAsync(plan, attempt, requestId, consumed, status, stream.Model ?? attempt.Model, stream.Provider, started);
                }

                if (Refusal(error, plan) is { } refusal)
            {
                throw refusal;
            }

            throw;
            }

            var usage = stream.Usage;
            var final = new Consumed(
                usage?.PromptTokens ?? attempt.Estimate.PromptTokens,
                usage?.CompletionTokens ?? streamedTokens,
                usage?.Cost);
            return await SettleAsync(plan, attempt, requestId, final, UsageStatus.Ok, stream.Model ?? attempt.Model, stream.Provider, started);
        }
    }

    private static ChatCompletionRequest UpstreamRequest(RoutePlan plan, PlannedAttempt attempt)
    {
        var body = plan.Body.Clone();
        body.Model = attempt.Model;

        // Fallbacks are ours to run (each after its own reservation), never OpenRouter's.
        body.Models = null;
        body.Provider = plan.Providers;

        // Upstream may generate no more than was reserved, whichever token field it honours.
        var reserved = (int)Math.Min(attempt.Estimate.CompletionTokens, int.MaxValue);
        body.MaxTokens = reserved;
        if (body.MaxCompletionTokens is not null)
        {
            body.MaxCompletionTokens = reserved;
        }

        return body;
    }

    private static OpenRouterCallOptions CallOptions(string requestId) => new() { RequestId = requestId };

    /// <summary>
    /// Sends the settlement of a call to its tenant and returns the call's result once the tenant grain has stored it, or
    /// once it is kept in the outbox when that failed (<see cref="BackgroundSettlements.StartAsync"/>).
    /// </summary>
    private async Task<RouteResult> SettleAsync(
        RoutePlan plan, PlannedAttempt attempt, string requestId, Consumed consumed, string status,
        string model, string? provider, long startedTimestamp)
    {
        var latency = _time.GetElapsedTime(startedTimestamp);

        // OpenRouter's usage.cost is what the account is charged; without it, tokens at the model's price.
        var cost = consumed.CostUsd ?? CostEstimator.Cost(attempt.Price, consumed.PromptTokens, consumed.CompletionTokens);
        var settlement = new SettleRequest
        {
            RequestId = requestId,
            Workspace = plan.Context.Workspace,
            ActualCostUsd = cost,
            PromptTokens = consumed.PromptTokens,
            CompletionTokens = consumed.CompletionTokens,
        };
        var details = Details(plan, status, model, provider, latency);
        await _settlements.StartAsync(new PendingSettlement(plan.Context.Tenant, settlement, details));
        _metrics.RecordModelSelected(plan.Context, plan.Task, attempt.Model, provider ?? NoProvider);
        _metrics.RecordRequest(plan.Context, model, status, latency, consumed.PromptTokens, consumed.CompletionTokens, attempt.Estimate.CostUsd, cost, provider);
        return new RouteResult
        {
            RequestId = requestId,
            Context = plan.Context,
            FellBack = plan.FellBack,
            Model = model,
            Provider = provider,
            PromptTokens = consumed.PromptTokens,
            CompletionTokens = consumed.CompletionTokens,
            CostUsd = cost,
            EstimatedCostUsd = attempt.Estimate.CostUsd,
            Status = status,
        };
    }

    /// <summary>
    /// Ends a call that failed before any output: a call that may have been billed (our timeout, or a cancel after the
    /// request went out) settles the prompt; one that certainly was not releases its reservation.
    /// </summary>
    private Task EndBeforeOutputAsync(ITenantGrain tenant, RoutePlan plan, PlannedAttempt attempt, string requestId, Exception error, long startedTimestamp)
    {
        var mayBeCharged = error is OperationCanceledException || (error as OpenRouterException)?.ChargeMayHaveOccurred == true;
        var status = error is OperationCanceledException ? UsageStatus.Cancelled : UsageStatus.Error;
        return EndFailedAsync(tenant, plan, attempt, requestId, mayBeCharged ? new Consumed(attempt.Estimate.PromptTokens, 0, null) : null, status, startedTimestamp);
    }

    /// <summary>Ends a call that produced nothing: settles what may have been charged, else releases the reservation.</summary>
    private async Task EndFailedAsync(ITenantGrain tenant, RoutePlan plan, PlannedAttempt attempt, string requestId, Consumed? charged, string status, long startedTimestamp)
    {
        if (charged is { } consumed)
        {
            await SettleAsync(plan, attempt, requestId, consumed, status, attempt.Model, null, startedTimestamp);
            return;
        }

        var latency = _time.GetElapsedTime(startedTimestamp);
        var details = Details(plan, status, attempt.Model, null, latency);
        await _retry.RunAsync(() => tenant.ReleaseAsync(requestId, details), $"release {plan.Context.Tenant}/{requestId}");
        _metrics.RecordModelSelected(plan.Context, plan.Task, attempt.Model, NoProvider);
        _metrics.RecordRequest(plan.Context, attempt.Model, status, latency, 0, 0, attempt.Estimate.CostUsd, 0m);
    }

    private static ExecutionDetails Details(RoutePlan plan, string status, string model, string? provider, TimeSpan latency) => new()
    {
        Status = status,
        Model = model,
        Provider = provider,
        Agent = plan.Agent,
        Task = plan.Task,
        LatencyMs = (long)latency.TotalMilliseconds,
    };

    /// <summary>Maps an upstream failure to a refusal with the status a caller should see; <see langword="null"/> to rethrow as is.</summary>
    private static RouteRefusedException? Refusal(Exception error, RoutePlan plan) => error switch
    {
        OpenRouterException upstream => new RouteRefusedException(RouteRefusal.Upstream, $"Upstream error: {upstream.Message}", upstream)
        {
            UpstreamStatus = StatusOf(upstream),
            Code = upstream.Kind switch
            {
                OpenRouterErrorKind.RateLimited => "upstream_rate_limited",
                OpenRouterErrorKind.InsufficientCredits => "upstream_insufficient_credits",
                OpenRouterErrorKind.Forbidden => "upstream_forbidden",
                OpenRouterErrorKind.BadRequest => "upstream_bad_request",
                OpenRouterErrorKind.Timeout => "upstream_timeout",
                _ => "upstream_error",
            },
            RetryAfter = upstream.RetryAfter,
            Context = plan.Context,
        },
        HttpRequestException transport => new RouteRefusedException(RouteRefusal.Upstream, $"Upstream unreachable: {transport.Message}", transport)
        {
            UpstreamStatus = 502,
            Code = "upstream_unreachable",
            Context = plan.Context,
        },
        _ => null,
    };

    /// <summary>The status a caller sees for an upstream error: upstream's own for client errors, 502/503/504 for its failures.</summary>
    private static int StatusOf(OpenRouterException error) => error.Kind switch
    {
        OpenRouterErrorKind.BadRequest => 400,
        OpenRouterErrorKind.Unauthorized => 502, // our key is wrong: the caller cannot fix it
        OpenRouterErrorKind.InsufficientCredits => 402,
        OpenRouterErrorKind.Forbidden => 403,
        OpenRouterErrorKind.Timeout => 504,
        OpenRouterErrorKind.RateLimited => 429,
        OpenRouterErrorKind.Unavailable => 503,
        _ => 502,
    };

    /// <summary>Usage consumed by a call: tokens and, when upstream reported it, the exact cost.</summary>
    private readonly record struct Consumed(long PromptTokens, long CompletionTokens, decimal? CostUsd);
}
