namespace OrleansTenancy.Tenancy.Pricing;

/// <summary>A worst-case cost estimate for one call.</summary>
/// <param name="Model">The model id.</param>
/// <param name="PromptTokens">Estimated prompt tokens.</param>
/// <param name="CompletionTokens">The completion tokens reserved (the capped <c>max_tokens</c>).</param>
/// <param name="CostUsd">Worst-case cost in USD.</param>
/// <param name="Price">The price used.</param>
/// <param name="PriceSource">Where the price came from.</param>
public sealed record CostEstimate(string Model, long PromptTokens, long CompletionTokens, decimal CostUsd, ModelPrice Price, PriceSource PriceSource)
{
    /// <summary>Prompt plus completion tokens, the figure reserved against token limits.</summary>
    public long TotalTokens => PromptTokens + CompletionTokens;
}

/// <summary>
/// Worst-case and actual cost arithmetic. Worst case = prompt tokens × prompt price + completion tokens × completion
/// price, where completion tokens = min(requested <c>max_tokens</c> (or the model's maximum output, or
/// <see cref="DefaultMaxCompletionTokens"/> when neither is known), the policy <c>max_tokens</c> cap, the model's
/// maximum output, the model's context window minus the prompt).
/// </summary>
public static class CostEstimator
{
    /// <summary>Completion tokens assumed when neither the request, the policy nor the model bounds the output: 4,096.</summary>
    public const int DefaultMaxCompletionTokens = 4096;

    /// <summary>The completion tokens a worst-case estimate reserves.</summary>
    /// <param name="price">The model's price and limits.</param>
    /// <param name="promptTokens">Estimated prompt tokens.</param>
    /// <param name="requestedMaxTokens">The request's <c>max_tokens</c>, if any.</param>
    /// <param name="policyMaxTokensCap">The policy's <c>max_tokens</c> cap, if any.</param>
    /// <returns>The capped completion tokens (never negative).</returns>
    public static long CappedCompletionTokens(ModelPrice price, long promptTokens, int? requestedMaxTokens, long? policyMaxTokensCap)
    {
        ArgumentNullException.ThrowIfNull(price);
        long completion = requestedMaxTokens ?? price.MaxCompletionTokens ?? policyMaxTokensCap ?? DefaultMaxCompletionTokens;
        if (policyMaxTokensCap is { } policyCap)
        {
            completion = Math.Min(completion, policyCap);
        }

        if (price.MaxCompletionTokens is { } modelCap)
        {
            completion = Math.Min(completion, modelCap);
        }

        if (price.ContextLength is { } context)
        {
            completion = Math.Min(completion, context - promptTokens);
        }

        return Math.Max(0, completion);
    }

    /// <summary>The worst-case cost of a call.</summary>
    /// <param name="price">The resolved price (<see cref="PriceCatalog.Resolve"/>).</param>
    /// <param name="promptTokens">Estimated prompt tokens (<see cref="TokenEstimator"/>).</param>
    /// <param name="requestedMaxTokens">The request's <c>max_tokens</c>, if any.</param>
    /// <param name="policyMaxTokensCap">The policy's <c>max_tokens</c> cap, if any.</param>
    /// <returns>The estimate.</returns>
    /// <exception cref="UnknownModelPriceException">
    /// Nobody priced the model. This holds under every enforcement mode: the estimate also prices the settle when
    /// the provider reports no cost, so treating an unpriced model as free would let it bypass the budget.
    /// </exception>
    public static CostEstimate EstimateWorstCase(PriceResolution price, long promptTokens, int? requestedMaxTokens, long? policyMaxTokensCap)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(promptTokens);
        if (requestedMaxTokens is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(requestedMaxTokens), requestedMaxTokens, "max_tokens must not be negative.");
        }

        if (!price.IsKnown)
        {
            throw new UnknownModelPriceException(price.Model);
        }

        var completion = CappedCompletionTokens(price.Price, promptTokens, requestedMaxTokens, policyMaxTokensCap);
        var cost = Cost(price.Price, promptTokens, completion);
        return new CostEstimate(price.Model, promptTokens, completion, cost, price.Price, price.Source);
    }

    /// <summary>The cost of actual usage at <paramref name="price"/> (when the provider reports no <c>usage.cost</c>).</summary>
    /// <param name="price">The price.</param>
    /// <param name="promptTokens">Prompt tokens.</param>
    /// <param name="completionTokens">Completion tokens.</param>
    /// <returns>The cost in USD.</returns>
    public static decimal Cost(ModelPrice price, long promptTokens, long completionTokens)
    {
        ArgumentNullException.ThrowIfNull(price);
        return (promptTokens * price.PromptPerToken) + (completionTokens * price.CompletionPerToken);
    }
}

/// <summary>A model has no price anywhere, so its cost cannot be bounded and the call is refused.</summary>
public sealed class UnknownModelPriceException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="model"/>.</summary>
    /// <param name="model">The unpriced model id.</param>
    public UnknownModelPriceException(string model)
        : base($"Model '{model}' has no price: it is not in the model price catalog, the tenant has no pricing override for it and no conservative unknown-model price is configured. "
            + $"Add '{model}' to the tenant's pricing overrides, refresh the catalog from OpenRouter /models, or configure a conservative unknown-model price.")
    {
        Model = model;
    }

    /// <summary>Creates the exception for an unnamed model.</summary>
    public UnknownModelPriceException()
        : this("(unnamed)")
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public UnknownModelPriceException(string message, Exception innerException)
        : base(message, innerException)
    {
        Model = "(unnamed)";
    }

    /// <summary>The unpriced model id.</summary>
    public string Model { get; }
}
