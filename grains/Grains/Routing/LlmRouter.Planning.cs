using OrleansTenancy.OpenRouter.Wire;
using OrleansTenancy.Tenancy;
using OrleansTenancy.Tenancy.Context;
using OrleansTenancy.Tenancy.Pricing;
using OrleansTenancy.Tenancy.Registry;
using WireProviders = OrleansTenancy.OpenRouter.Wire.ProviderPreferences;

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
            throw new RouteRefusedException(RouteRefusal.ContextMissing, 401, missing.Message, missing) { Code = "tenant_context_missing" };
        }

        var context = effective.Context;
        if (effective.FellBack)
        {
            LogFallback(context.ToString());
            _metrics.RecordFallback(context, Component);
        }

        var registry = _registry.Current;
        var tenant = registry.Find(context.Tenant);
        if (tenant is null || !tenant.Workspaces.ContainsKey(context.Workspace))
        {
            throw new RouteRefusedException(RouteRefusal.UnknownTenant, 403,
                tenant is null
                    ? $"Tenant '{context.Tenant}' is not configured (tenants/{context.Tenant}/tenant.yaml)."
                    : $"Tenant '{context.Tenant}' has no workspace '{context.Workspace}'.")
            { Code = "unknown_tenant", Context = context };
        }

        if (tenant.Status == TenantStatus.Suspended)
        {
            throw new RouteRefusedException(RouteRefusal.TenantSuspended, 403, $"Tenant '{context.Tenant}' is suspended.")
            { Code = "tenant_suspended", Context = context };
        }

        var routing = registry.GetRouting(context);
        var policy = registry.GetPolicy(context);
        var body = request.Body ?? throw new RouteRefusedException(RouteRefusal.BadRequest, 400, "The request has no body.") { Code = "invalid_request" };
        if (body.Messages is not { Count: > 0 })
        {
            throw new RouteRefusedException(RouteRefusal.BadRequest, 400, "'messages' must hold at least one message.") { Code = "invalid_request", Context = context };
        }

        var models = ChooseModels(body, request.Task, routing, context);
        var promptTokens = TokenEstimator.EstimatePromptTokens([.. body.Messages.Select(m => new PromptMessage(m.Role, m.Content?.GetText(), m.Name))]);
        var attempts = models.Select(model => PlanAttempt(model, routing, policy, promptTokens, body.MaxTokens, context)).ToList();

        var maxPerRequest = registry.GetEffectiveLimits(context).MaxPerRequest;
        if ((request.Downshift ?? policy.Downshift) && maxPerRequest is { } cap && attempts[0].Estimate.CostUsd > cap
            && Downshift(routing, policy, promptTokens, body.MaxTokens, cap) is { } cheaper)
        {
            LogDownshift(context.ToString(), attempts[0].Model, cheaper.Model, attempts[0].Estimate.CostUsd, cheaper.Estimate.CostUsd, cap);
            attempts[0] = cheaper;
        }

        var providers = ToWire(routing.Providers) ?? body.Provider;
        return new RoutePlan(
            context,
            effective.FellBack,
            string.IsNullOrWhiteSpace(request.RequestId) ? Guid.NewGuid().ToString("N") : request.RequestId,
            string.IsNullOrWhiteSpace(request.Task) ? "default" : request.Task,
            request.Agent,
            policy,
            body,
            providers,
            attempts);
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
            throw new RouteRefusedException(RouteRefusal.BadRequest, 400,
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
            throw new RouteRefusedException(RouteRefusal.ModelNotAllowed, 403,
                $"Model '{model}' is not allowed for {context}; allowed: {string.Join(", ", routing.AllowedModels)}.")
            { Code = "model_not_allowed", Context = context };
        }

        return models;
    }

    private PlannedAttempt PlanAttempt(string model, EffectiveRouting routing, EffectivePolicy policy, long promptTokens, int? maxTokens, TenantContext context)
    {
        var price = _prices.Current.Resolve(model, routing.Pricing, routing.UnknownModelPrice);
        if (!price.IsKnown)
        {
            throw new RouteRefusedException(RouteRefusal.UnknownModelPrice, 400,
                $"No price is known for model '{model}', and an unpriced model is never treated as free; add it to the tenant's 'pricing' or set 'pricing.unknown_model' in tenants/_global.yaml.")
            { Code = "model_price_unknown", Context = context };
        }

        return new PlannedAttempt(model, price.Price!, CostEstimator.EstimateWorstCase(price, promptTokens, maxTokens, policy.MaxTokens));
    }

    /// <summary>The cheapest allowed, priced model whose worst case fits <paramref name="cap"/>, if any.</summary>
    private PlannedAttempt? Downshift(EffectiveRouting routing, EffectivePolicy policy, long promptTokens, int? maxTokens, decimal cap)
    {
        PlannedAttempt? best = null;
        foreach (var model in routing.AllowedModels)
        {
            var price = _prices.Current.Resolve(model, routing.Pricing, routing.UnknownModelPrice);
            if (!price.IsKnown)
            {
                continue;
            }

            var attempt = new PlannedAttempt(model, price.Price!, CostEstimator.EstimateWorstCase(price, promptTokens, maxTokens, policy.MaxTokens));
            if (attempt.Estimate.CostUsd <= cap && (best is null || attempt.Estimate.CostUsd < best.Estimate.CostUsd))
            {
                best = attempt;
            }
        }

        return best;
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

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "{Context}: downshifted from {From} (worst case {FromUsd} USD) to {To} ({ToUsd} USD) to fit max_per_request {Cap} USD")]
    private partial void LogDownshift(string context, string from, string to, decimal fromUsd, decimal toUsd, decimal cap);
}

/// <summary>One model to try, with its price and worst-case estimate.</summary>
internal sealed record PlannedAttempt(string Model, ModelPrice Price, CostEstimate Estimate);

/// <summary>Everything decided before the first reservation.</summary>
internal sealed record RoutePlan(
    TenantContext Context,
    bool FellBack,
    string RequestId,
    string Task,
    string? Agent,
    EffectivePolicy Policy,
    ChatCompletionRequest Body,
    WireProviders? Providers,
    List<PlannedAttempt> Attempts);
