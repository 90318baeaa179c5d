using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;

namespace OrleansTenancy.Tenancy.Pricing;

/// <summary>
/// Model prices by OpenRouter model id. Immutable: a refresh builds a new catalog and swaps it in
/// (<see cref="PriceCatalogHolder"/>), so readers never see a half-loaded catalog.
/// </summary>
public sealed class PriceCatalog
{
    private const string EmbeddedResourceName = "OrleansTenancy.Tenancy.Pricing.model-prices.json";

    private readonly Dictionary<string, ModelPrice> _prices;

    private PriceCatalog(Dictionary<string, ModelPrice> prices, string source)
    {
        _prices = prices;
        Source = source;
    }

    /// <summary>A catalog with no models.</summary>
    public static PriceCatalog Empty { get; } = new(new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase), "empty");

    /// <summary>Where the prices came from (a file path, <c>embedded</c> or a caller-given name).</summary>
    public string Source { get; }

    /// <summary>
    /// A new catalog holding this one's prices overlaid with <paramref name="prices"/> (for example a live
    /// <c>/models</c> response): models in <paramref name="prices"/> take the new price, the others keep theirs.
    /// </summary>
    public PriceCatalog With(IEnumerable<KeyValuePair<string, ModelPrice>> prices, string source)
    {
        ArgumentNullException.ThrowIfNull(prices);
        var merged = new Dictionary<string, ModelPrice>(_prices, StringComparer.OrdinalIgnoreCase);
        foreach (var (model, price) in prices)
        {
            merged[model] = price;
        }

        return new PriceCatalog(merged, source);
    }

    /// <summary>Number of priced models.</summary>
    public int Count => _prices.Count;

    /// <summary>The priced model ids.</summary>
    public IEnumerable<string> Models => _prices.Keys;

    /// <summary>The catalog price of <paramref name="model"/> (ids compare case-insensitively).</summary>
    /// <param name="model">The OpenRouter model id.</param>
    /// <param name="price">The price when found.</param>
    /// <returns>Whether the model is priced.</returns>
    public bool TryGet(string model, [MaybeNullWhen(false)] out ModelPrice price)
    {
        ArgumentNullException.ThrowIfNull(model);
        return _prices.TryGetValue(model, out price);
    }

    /// <summary>
    /// The price to charge for <paramref name="model"/>: the tenant's <c>pricing</c> override, else the catalog,
    /// else the configured conservative unknown-model price, else unknown (the caller must refuse: never free).
    /// </summary>
    /// <param name="model">The OpenRouter model id.</param>
    /// <param name="tenantOverrides">The tenant's <c>pricing</c> overrides, if any.</param>
    /// <param name="conservativeUnknownPrice">The configured price for models nobody priced, if any.</param>
    /// <returns>The price and where it came from.</returns>
    public PriceResolution Resolve(string model, IReadOnlyDictionary<string, ModelPrice>? tenantOverrides, ModelPrice? conservativeUnknownPrice)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        if (tenantOverrides is not null && tenantOverrides.TryGetValue(model, out var overridden))
        {
            return new PriceResolution(model, overridden, PriceSource.Override);
        }

        if (_prices.TryGetValue(model, out var listed))
        {
            return new PriceResolution(model, listed, PriceSource.Catalog);
        }

        return conservativeUnknownPrice is not null
            ? new PriceResolution(model, conservativeUnknownPrice, PriceSource.Conservative)
            : new PriceResolution(model, null, PriceSource.Unknown);
    }

    /// <summary>The catalog shipped in the assembly (<c>Pricing/model-prices.json</c>).</summary>
    /// <returns>The catalog.</returns>
    /// <exception cref="InvalidDataException">The shipped file has invalid entries (a build defect).</exception>
    public static PriceCatalog LoadEmbedded()
    {
        using var stream = typeof(PriceCatalog).Assembly.GetManifestResourceStream(EmbeddedResourceName)
            ?? throw new InvalidDataException($"Embedded resource '{EmbeddedResourceName}' is missing; check the EmbeddedResource item in OrleansTenancy.Tenancy.csproj.");
        using var reader = new StreamReader(stream);
        var result = Parse(reader.ReadToEnd(), "embedded");
        return result.Issues.Count == 0
            ? result.Catalog
            : throw new InvalidDataException($"Embedded model-prices.json has invalid entries: {string.Join("; ", result.Issues)}");
    }

    /// <summary>Parses a catalog file (OpenRouter <c>/models</c> shape).</summary>
    /// <param name="path">The file path.</param>
    /// <returns>The catalog of valid entries and the invalid ones.</returns>
    public static PriceCatalogParseResult LoadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>
    /// Parses OpenRouter's <c>/models</c> response shape: <c>{"data":[{"id", "context_length", "pricing":{"prompt",
    /// "completion"}, "top_provider":{"max_completion_tokens"}}]}</c>. Prices are decimal strings in USD per token.
    /// Entries with a missing, malformed or negative price (OpenRouter uses <c>"-1"</c> for variable-priced routers)
    /// are left out and reported with the model id; other entries still load.
    /// </summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">A name for messages (file path or URL).</param>
    /// <returns>The catalog of valid entries and the invalid ones.</returns>
    /// <exception cref="InvalidDataException">The text is not JSON or has no <c>data</c> array.</exception>
    public static PriceCatalogParseResult Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: not valid JSON ({ex.Message}); expected OpenRouter's /models shape {{\"data\":[...]}}.", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("data", out var data)
                || data.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException($"{source}: missing the top-level \"data\" array of OpenRouter's /models shape.");
            }

            var prices = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);
            var issues = new List<PriceCatalogIssue>();
            var index = 0;
            foreach (var entry in data.EnumerateArray())
            {
                ParseEntry(entry, index++, source, prices, issues);
            }

            return new PriceCatalogParseResult(new PriceCatalog(prices, source), issues);
        }
    }

    private static void ParseEntry(JsonElement entry, int index, string source, Dictionary<string, ModelPrice> prices, List<PriceCatalogIssue> issues)
    {
        var id = entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String
            ? idElement.GetString()
            : null;
        if (string.IsNullOrWhiteSpace(id))
        {
            issues.Add(new PriceCatalogIssue(source, $"data[{index}]", "id", null, "missing model id"));
            return;
        }

        if (!entry.TryGetProperty("pricing", out var pricing) || pricing.ValueKind != JsonValueKind.Object)
        {
            issues.Add(new PriceCatalogIssue(source, id, "pricing", null, "missing pricing object"));
            return;
        }

        var prompt = ReadPrice(pricing, "prompt", source, id, issues);
        var completion = ReadPrice(pricing, "completion", source, id, issues);
        if (prompt is null || completion is null)
        {
            return;
        }

        var contextLength = ReadInt(entry, "context_length");
        int? maxCompletion = null;
        if (entry.TryGetProperty("top_provider", out var top) && top.ValueKind == JsonValueKind.Object)
        {
            maxCompletion = ReadInt(top, "max_completion_tokens");
            contextLength ??= ReadInt(top, "context_length");
        }

        if (!prices.TryAdd(id, new ModelPrice(prompt.Value, completion.Value, maxCompletion, contextLength)))
        {
            issues.Add(new PriceCatalogIssue(source, id, "id", id, "duplicate model id; the first entry is kept"));
        }
    }

    private static decimal? ReadPrice(JsonElement pricing, string field, string source, string id, List<PriceCatalogIssue> issues)
    {
        if (!pricing.TryGetProperty(field, out var element))
        {
            issues.Add(new PriceCatalogIssue(source, id, $"pricing.{field}", null, "missing price"));
            return null;
        }

        var text = element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number => element.GetRawText(),
            _ => null,
        };
        if (text is null
            || !decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            issues.Add(new PriceCatalogIssue(source, id, $"pricing.{field}", element.GetRawText(), "not a decimal number of USD per token"));
            return null;
        }

        if (value < 0)
        {
            issues.Add(new PriceCatalogIssue(source, id, $"pricing.{field}", text, "negative (variable-priced router); price the model with a tenant override instead"));
            return null;
        }

        return value;
    }

    private static int? ReadInt(JsonElement element, string field) =>
        element.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number > 0
            ? number
            : null;
}

/// <summary>One catalog entry that could not be used.</summary>
/// <param name="Source">The file or URL.</param>
/// <param name="ModelId">The model id (or <c>data[i]</c> when the id itself is missing).</param>
/// <param name="Field">The offending field.</param>
/// <param name="Value">The offending raw value, if any.</param>
/// <param name="Problem">What is wrong and, where useful, what to do.</param>
public sealed record PriceCatalogIssue(string Source, string ModelId, string Field, string? Value, string Problem)
{
    /// <inheritdoc />
    public override string ToString() => $"{Source}: model '{ModelId}' field '{Field}' value {Value ?? "(none)"}: {Problem}";
}

/// <summary>A parsed catalog and the entries left out of it.</summary>
/// <param name="Catalog">The catalog of valid entries.</param>
/// <param name="Issues">The invalid entries, each naming its model id.</param>
public sealed record PriceCatalogParseResult(PriceCatalog Catalog, IReadOnlyList<PriceCatalogIssue> Issues);

/// <summary>Where a model's price came from.</summary>
public enum PriceSource
{
    /// <summary>The tenant's <c>pricing</c> override.</summary>
    Override = 0,

    /// <summary>The model price catalog.</summary>
    Catalog = 1,

    /// <summary>The configured conservative price for unknown models.</summary>
    Conservative = 2,

    /// <summary>Nobody priced the model; it must be refused (never free).</summary>
    Unknown = 3,
}

/// <summary>The price chosen for a model.</summary>
/// <param name="Model">The model id.</param>
/// <param name="Price">The price, or <see langword="null"/> when <see cref="PriceSource.Unknown"/>.</param>
/// <param name="Source">Where it came from.</param>
public readonly record struct PriceResolution(string Model, ModelPrice? Price, PriceSource Source)
{
    /// <summary>Whether a price was found.</summary>
    [MemberNotNullWhen(true, nameof(Price))]
    public bool IsKnown => Price is not null;
}

/// <summary>Holds the current <see cref="PriceCatalog"/>; a refresh swaps the whole catalog atomically.</summary>
public sealed class PriceCatalogHolder
{
    private PriceCatalog _current;

    /// <summary>Starts with <paramref name="initial"/>.</summary>
    /// <param name="initial">The first catalog (for example <see cref="PriceCatalog.LoadEmbedded"/>).</param>
    public PriceCatalogHolder(PriceCatalog initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        _current = initial;
    }

    /// <summary>The catalog in force.</summary>
    public PriceCatalog Current => Volatile.Read(ref _current);

    /// <summary>Replaces the catalog; readers see either the old or the new one, never a mix.</summary>
    /// <param name="catalog">The new catalog.</param>
    public void Replace(PriceCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        Volatile.Write(ref _current, catalog);
    }
}
