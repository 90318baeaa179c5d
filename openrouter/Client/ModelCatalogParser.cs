using System.Globalization;
using Microsoft.Extensions.Logging;
using OrleansTenancy.OpenRouter.Wire;

namespace OrleansTenancy.OpenRouter;

/// <summary>Turns <c>GET /models</c> entries into <see cref="OpenRouterModel"/> records with decimal prices.</summary>
public static class ModelCatalogParser
{
    /// <summary>
    /// Parses each entry's USD price strings. Entries whose prompt or completion price is missing, not a number or
    /// negative (OpenRouter lists routers such as <c>openrouter/auto</c> with <c>"-1"</c>) are skipped, because no
    /// worst-case estimate can be made from them.
    /// </summary>
    /// <param name="models">The entries.</param>
    /// <param name="logger">Receives one debug line per skipped entry.</param>
    public static IReadOnlyList<OpenRouterModel> Parse(IReadOnlyList<ModelInfo> models, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        var result = new List<OpenRouterModel>(models.Count);
        foreach (var model in models)
        {
            if (string.IsNullOrEmpty(model.Id)
                || TryParsePrice(model.Pricing?.Prompt) is not { } prompt
                || TryParsePrice(model.Pricing?.Completion) is not { } completion)
            {
                logger?.LogDebug(
                    "Skipping model '{Model}' from the catalog: prompt price '{Prompt}' / completion price '{Completion}' is not a non-negative USD amount",
                    model.Id,
                    model.Pricing?.Prompt,
                    model.Pricing?.Completion);
                continue;
            }

            var request = TryParsePrice(model.Pricing?.Request);
            result.Add(new OpenRouterModel(
                model.Id,
                model.Name,
                prompt,
                completion,
                request is > 0m ? request : null,
                model.ContextLength ?? model.TopProvider?.ContextLength,
                model.TopProvider?.MaxCompletionTokens));
        }

        return result;
    }

    /// <summary>Parses one USD price string such as <c>"0.0000025"</c> or <c>"1e-7"</c>; null when invalid or negative.</summary>
    /// <param name="text">The price text.</param>
    public static decimal? TryParsePrice(string? text) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0m ? value : null;
}
