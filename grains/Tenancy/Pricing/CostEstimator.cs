namespace OrleansTenancy.Tenancy.Pricing;

/// <summary>A worst-case cost estimate for one call.</summary>
/// <param name="Model">The model id.</param>
/// <param name="PromptTokens">Estimated prompt tokens.</param>
/// <param name="CompletionTokens">The completion tokens reserved per choice (the capped <c>max_tokens</c>); upstream is sent this cap.</param>
/// <param name="CostUsd">Worst-case cost in USD, every choice included.</param>
/// <param name="Price">The price used.</param>
/// <param name="PriceSource">Where the price came from.</param>
/// <param name="Choices">How many choices the call asks for (<c>n</c>).</param>
public sealed record CostEstimate(string Model, long PromptTokens, long CompletionTokens, decimal CostUsd, ModelPrice Price, PriceSource PriceSource, int Choices = 1)
{
    /// <summary>Prompt plus completion tokens of every choice, the figure reserved against token limits.</summary>
    public long TotalTokens => (PromptTokens + CompletionTokens) * Choices;
}

/// <summary>
/// Worst-case and actual cost arithmetic. Worst case = (prompt tokens × prompt price + completion tokens × completion
/// price) × choices, where completion tokens = min(the larger of the request's <c>max_tokens</c> and
/// <c>max_completion_tokens</c> (or the model's maximum output, or <see cref="DefaultMaxCompletionTokens"/> when none is
/// known), the policy <c>max_tokens</c> cap, the model's maximum output, the model's context window minus the prompt).
/// </summary>
/// <remarks>
/// Every choice of <c>n</c> counts in full, prompt included: OpenAI bills the prompt of <c>n</c> choices once, but a
/// provider behind OpenRouter may serve them as separate calls, and the worst case must bound what any of them bills.
/// </remarks>
public static class CostEstimator
{
    /// <summary>Completion tokens assumed when neither the request, the policy nor the model bounds the output: 4,096.</summary>
    public const int DefaultMaxCompletionTokens = 4096;

    /// <summary>The most choices (<c>n</c>) one request may ask for, as OpenAI's API allows: 128.</summary>
    public const int MaxChoices = 128;

    /// <summary>
    /// The completion tokens a request asks for per choice: the larger of <c>max_tokens</c> and
    /// <c>max_completion_tokens</c> (upstreams honour either, and where both are sent one of them wins), or
    /// <see langword="null"/> when neither is set.
    /// </summary>
    /// <param name="maxTokens">The request's <c>max_tokens</c>.</param>
    /// <param name="maxCompletionTokens">The request's <c>max_completion_tokens</c>.</param>
    /// <returns>The larger one.</returns>
    public static int? RequestedCompletionTokens(int? maxTokens, int? maxCompletionTokens) =>
        maxTokens is { } tokens && maxCompletionTokens is { } completion ? Math.Max(tokens, completion) : maxTokens ?? maxCompletionTokens;

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
    /// <param name="requestedMaxTokens">The completion tokens the request asks for per choice (<see cref="RequestedCompletionTokens"/>), if any.</param>
    /// <param name="policyMaxTokensCap">The policy's <c>max_tokens</c> cap, if any.</param>
    /// <param name="choices">The request's <c>n</c>: 1 to <see cref="MaxChoices"/>.</param>
    /// <returns>The estimate.</returns>
    /// <exception cref="UnknownModelPriceException">
    /// Nobody priced the model. This holds under every enforcement mode: the estimate also prices the settle when
    /// the provider reports no cost, so treating an unpriced model as free would let it bypass the budget.
    /// </exception>
    public static CostEstimate EstimateWorstCase(PriceResolution price, long promptTokens, int? requestedMaxTokens, long? policyMaxTokensCap, int choices = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(promptTokens);
        if (requestedMaxTokens is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(requestedMaxTokens), requestedMaxTokens, "max_tokens must not be negative.");
        }

        if (choices is < 1 or > MaxChoices)
        {
            throw new ArgumentOutOfRangeException(nameof(choices), choices, $"n must be between 1 and {MaxChoices}.");
        }

        if (!price.IsKnown)
        {
            throw new UnknownModelPriceException(price.Model);
        }

        var completion = CappedCompletionTokens(price.Price, promptTokens, requestedMaxTokens, policyMaxTokensCap);
        var cost = Cost(price.Price, promptTokens, completion) * choices;
        return new CostEstimate(price.Model, promptTokens, completion, cost, price.Price, price.Source, choices);
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
