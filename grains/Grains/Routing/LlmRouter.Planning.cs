using OrleansTenancy.OpenRouter.Wire;
using OrleansTenancy.Tenancy;
using OrleansTenancy.Tenancy.Context;
using OrleansTenancy.Tenancy.Pricing;
using OrleansTenancy.Tenancy.Registry;
using WireProviders = OrleansTenancy.OpenRouter.Wire.ProviderPreferences;
using RequestIds = OrleansTenancy.GrainInterfaces.RequestIds;

namespace OrleansTenancy.Grains.Routing;

public sealed partial class LlmRouter
{
    /// <summary>Resolves context, tenant policy, models and worst-case estimates; refuses what policy forbids.</summary>
    private RoutePlan Plan(RouteRequest request)
    {
        EffectiveTenantContext effective;
        try
        {
            effective = TenantContextResolver.ResolveEffective(request.Context, _strict, Component);
        }
        catch (TenantContextMissingException missing)
        {
            // Strict mode: the call fails before any metric is emitted.
            throw new RouteRefusedException(RouteRefusal.ContextMissing, missing.Message, missing) { Code = "tenant_context_missing" };
        }

        var context = effective.Context;
        if (effective.FellBack)
        {
            LogFallback(context.ToString());
            _metrics.RecordFallback(context, Component);
        }

        var registry = _registry.Current;
        if (registry.ExplainUnknown(context.Tenant, context.Workspace) is { } unknown)
        {
            throw new RouteRefusedException(RouteRefusal.UnknownTenant, unknown) { Code = "unknown_tenant", Context = context };
        }

        var tenant = registry.Find(context.Tenant)!;

        if (tenant.Status == TenantStatus.Suspended)
        {
            throw new RouteRefusedException(RouteRefusal.TenantSuspended, $"Tenant '{context.Tenant}' is suspended.")
            { Code = "tenant_suspended", Context = context };
        }

        var routing = registry.GetRouting(context);
        var policy = registry.GetPolicy(context);
        var body = request.Body ?? throw new RouteRefusedException(RouteRefusal.BadRequest, "The request has no body.") { Code = "invalid_request" };
        if (body.Messages is not { Count: > 0 })
        {
            throw new RouteRefusedException(RouteRefusal.BadRequest, "'messages' must hold at least one message.") { Code = "invalid_request", Context = context };
        }

        if (body.N is < 1 or > CostEstimator.MaxChoices)
        {
            throw new RouteRefusedException(RouteRefusal.BadRequest,
                $"'n' must be between 1 and {CostEstimator.MaxChoices} (every choice is reserved and billed), not {body.N}.")
            { Code = "invalid_request", Context = context };
        }

        var models = ChooseModels(body, request.Task, routing, context);
        var promptTokens = TokenEstimator.EstimatePromptTokens([.. body.Messages.Select(m => new PromptMessage(m.Role, m.Content?.GetText(), m.Name))]);
        var ask = new CompletionAsk(CostEstimator.RequestedCompletionTokens(body.MaxTokens, body.MaxCompletionTokens), body.N ?? 1);
        var attempts = models.Select(model => PlanAttempt(model, routing, policy, promptTokens, ask, context)).ToList();

        // Whether the primary fits max_per_request is decided by the tenant grain, on the limits in effect there (a
        // runtime override included): the plan only offers it the cheaper allowed models.
        var downshift = request.Downshift ?? policy.Downshift
            ? CheaperModels(routing, policy, promptTokens, ask, attempts[0])
            : [];

        var providers = ToWire(routing.Providers) ?? body.Provider;
        var fresh = request.GeneratedRequestId || string.IsNullOrWhiteSpace(request.RequestId);
        return new RoutePlan(
            context,
            effective.FellBack,
            fresh && string.IsNullOrWhiteSpace(request.RequestId) ? RequestIds.New(_time) : request.RequestId!,
            fresh,
            // Unique enough among the calls of one request id, and short in the stored reservation.
            Random.Shared.Next(1, int.MaxValue),
            string.IsNullOrWhiteSpace(request.Task) ? "default" : request.Task,
            request.Agent,
            policy,
            body,
            providers,
            attempts,
            downshift);
    }

    /// <summary>
    /// The primary model (the request's, unless empty or <c>auto</c>; then the task's, then the tenant's default) and the
    /// request's fallbacks, each of which must be allowed.
    /// </summary>
    private static List<string> ChooseModels(ChatCompletionRequest body, string? task, EffectiveRouting routing, TenantContext context)
    {
        var requested = string.IsNullOrWhiteSpace(body.Model) || string.Equals(body.Model, "auto", StringComparison.OrdinalIgnoreCase)
            ? routing.ModelForTask(task)
            : body.Model;
        if (requested is null)
        {
            throw new RouteRefusedException(RouteRefusal.BadRequest,
                $"No model was given and tenant '{context.Tenant}' maps no model for task '{task ?? "default"}'; set 'model' or a 'models.default' in routing.yaml.")
            { Code = "model_required", Context = context };
        }

        var models = new List<string> { requested };
        foreach (var fallback in body.Models ?? [])
        {
            if (!models.Contains(fallback, StringComparer.Ordinal))
            {
                models.Add(fallback);
            }
        }

        foreach (var model in models.Where(m => !routing.IsModelAllowed(m)))
        {
            throw new RouteRefusedException(RouteRefusal.ModelNotAllowed,
                $"Model '{model}' is not allowed for {context}; allowed: {string.Join(", ", routing.AllowedModels)}.")
            { Code = "model_not_allowed", Context = context };
        }

        return models;
    }

    private PlannedAttempt PlanAttempt(string model, EffectiveRouting routing, EffectivePolicy policy, long promptTokens, CompletionAsk ask, TenantContext context)
    {
        var price = _prices.Current.Resolve(model, routing.Pricing, routing.UnknownModelPrice);
        if (!price.IsKnown)
        {
            throw new RouteRefusedException(RouteRefusal.UnknownModelPrice,
                $"No price is known for model '{model}', and an unpriced model is never treated as free; add it to the tenant's 'pricing' or set 'pricing.unknown_model' in tenants/_global.yaml.")
            { Code = "model_price_unknown", Context = context };
        }

        return new PlannedAttempt(model, price.Price!, CostEstimator.EstimateWorstCase(price, promptTokens, ask.MaxTokens, policy.MaxTokens, ask.Choices));
    }

    /// <summary>Every allowed, priced model whose worst case is below <paramref name="primary"/>'s, cheapest first.</summary>
    private List<PlannedAttempt> CheaperModels(EffectiveRouting routing, EffectivePolicy policy, long promptTokens, CompletionAsk ask, PlannedAttempt primary)
    {
        var cheaper = new List<PlannedAttempt>();
        foreach (var model in routing.AllowedModels)
        {
            var price = _prices.Current.Resolve(model, routing.Pricing, routing.UnknownModelPrice);
            if (!price.IsKnown || model == primary.Model)
            {
                continue;
            }

            var attempt = new PlannedAttempt(model, price.Price!, CostEstimator.EstimateWorstCase(price, promptTokens, ask.MaxTokens, policy.MaxTokens, ask.Choices));
            if (attempt.Estimate.CostUsd < primary.Estimate.CostUsd)
            {
                cheaper.Add(attempt);
            }
        }

        cheaper.Sort((a, b) => a.Estimate.CostUsd.CompareTo(b.Estimate.CostUsd));
        return cheaper;
    }

    /// <summary>The tenant's provider preferences as OpenRouter's <c>provider</c> object.</summary>
    private static WireProviders? ToWire(Tenancy.Registry.ProviderPreferences? preferences) => preferences is null
        ? null
        : new WireProviders
        {
            Order = preferences.Order,
            AllowFallbacks = preferences.AllowFallbacks,
            Only = preferences.Only,
            Ignore = preferences.Ignore,
            Sort = preferences.Sort,
            DataCollection = preferences.DataCollection,
            MaxPrice = preferences.MaxPrice is { } max
                ? new OpenRouter.Wire.MaxPrice { Prompt = max.Prompt, Completion = max.Completion, Request = max.Request, Image = max.Image }
                : null,
        };

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "{Context}: downshifted from {From} (worst case {FromUsd} USD) to {To} ({ToUsd} USD) to fit max_per_request")]
    private partial void LogDownshift(string context, string from, string to, decimal fromUsd, decimal toUsd);
}

/// <summary>What a request asks upstream to generate: completion tokens per choice (the larger token field) and choices.</summary>
internal readonly record struct CompletionAsk(int? MaxTokens, int Choices);

/// <summary>One model to try, with its price and worst-case estimate.</summary>
internal sealed record PlannedAttempt(string Model, ModelPrice Price, CostEstimate Estimate);

/// <summary>Everything decided before the first reservation; <see cref="Downshift"/> lists the cheaper models the primary may be switched to.</summary>
internal sealed record RoutePlan(
    TenantContext Context,
    bool FellBack,
    string RequestId,
    bool FreshRequestId,
    long CallToken,
    string Task,
    string? Agent,
    EffectivePolicy Policy,
    ChatCompletionRequest Body,
    WireProviders? Providers,
    List<PlannedAttempt> Attempts,
    IReadOnlyList<PlannedAttempt> Downshift);
