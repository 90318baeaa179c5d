using OrleansTenancy.Tenancy.Alerts;
using OrleansTenancy.Tenancy.Budget;
using OrleansTenancy.Tenancy.Pricing;
using OrleansTenancy.Tenancy.Registry.Yaml;

namespace OrleansTenancy.Tenancy.Registry.Parsing;

/// <summary>Parses the routing, budget, policy and pricing sections shared by tenant files, workspaces and <c>_global.yaml</c>.</summary>
internal static class SectionParser
{
    public const string UnknownModelKey = "unknown_model";
    private static readonly string[] SortValues = ["price", "throughput", "latency"];
    private static readonly string[] DataCollectionValues = ["allow", "deny"];
    private static readonly string[] EnforcementValues = ["none", "soft", "hard"];

    /// <summary>Parses a routing section; model overrides are checked against <paramref name="inheritedAllowed"/> unless the section sets its own list.</summary>
    public static RoutingSettings Routing(MappingReader map, IReadOnlyList<string>? inheritedAllowed)
    {
        var allowed = map.TextList("allowed_models");
        var providersNode = map.Node("providers");
        var modelsNode = map.Node("models");
        var pricingNode = map.Node("pricing");
        return new RoutingSettings
        {
            AllowedModels = allowed,
            Providers = providersNode is null ? null : Providers(providersNode, map.Section, map.Sink),
            Models = modelsNode is null ? null : Models(modelsNode, map.Section, map.Sink, allowed ?? inheritedAllowed),
            Pricing = pricingNode is null ? null : Pricing(pricingNode, map.Section, map.Sink, allowUnknownModel: false).Prices,
        };
    }

    public static ProviderPreferences? Providers(YamlNode node, string section, ProblemSink sink)
    {
        if (node is YamlSequence)
        {
            // A bare list is the origin product's shorthand for the provider order.
            var order = MappingReader.TextList(node, $"'providers' in {section}", sink);
            return order is null ? null : new ProviderPreferences { Order = order };
        }

        var map = MappingReader.Open(node, $"'providers' in {section}", sink, SchemaKeys.Providers);
        if (map is null)
        {
            return null;
        }

        var maxPriceNode = map.Node("max_price");
        MaxPrice? maxPrice = null;
        if (maxPriceNode is not null && MappingReader.Open(maxPriceNode, $"'providers.max_price' in {section}", sink, SchemaKeys.MaxPrice) is { } priceMap)
        {
            maxPrice = new MaxPrice
            {
                Prompt = priceMap.Decimal("prompt", allowQuoted: true),
                Completion = priceMap.Decimal("completion", allowQuoted: true),
                Request = priceMap.Decimal("request", allowQuoted: true),
                Image = priceMap.Decimal("image", allowQuoted: true),
            };
        }

        return new ProviderPreferences
        {
            Order = map.TextList("order"),
            AllowFallbacks = map.Bool("allow_fallbacks"),
            Only = map.TextList("only"),
            Ignore = map.TextList("ignore"),
            Sort = OneOf(map, "sort", SortValues),
            DataCollection = OneOf(map, "data_collection", DataCollectionValues),
            MaxPrice = maxPrice,
        };
    }

    public static IReadOnlyDictionary<string, string>? Models(YamlNode node, string section, ProblemSink sink, IReadOnlyList<string>? allowed)
    {
        if (node is not YamlMapping mapping)
        {
            sink.Error(node, $"'models' in {section} must map tasks to model ids (for example 'default: openai/gpt-4o-mini'), but it is {node.KindName}.");
            return null;
        }

        var models = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (key, value) in mapping.Entries)
        {
            if (lines.TryGetValue(key.Value, out var firstLine))
            {
                sink.Error(key, $"Duplicate task '{key.Value}' in 'models' in {section} (first defined on line {firstLine}); keep one.");
                continue;
            }

            lines[key.Value] = key.Line;
            if (value is not YamlScalar scalar || scalar.IsNull || scalar.Value.Length == 0)
            {
                sink.Error(value, $"The model for task '{key.Value}' in {section} must be a model id, but it is {value.KindName}.");
                continue;
            }

            if (allowed is { Count: > 0 } && !allowed.Contains(scalar.Value))
            {
                sink.Error(value, $"Task '{key.Value}' in {section} uses model '{scalar.Value}', which is not in allowed_models{Suggest.DidYouMean(scalar.Value, allowed)}; add it to allowed_models or pick an allowed model.");
                continue;
            }

            models[key.Value] = scalar.Value;
        }

        return models;
    }

    public static (IReadOnlyDictionary<string, ModelPrice> Prices, ModelPrice? UnknownModel) Pricing(
        YamlNode node, string section, ProblemSink sink, bool allowUnknownModel)
    {
        var prices = new Dictionary<string, ModelPrice>(StringComparer.Ordinal);
        ModelPrice? unknown = null;
        if (node is not YamlMapping mapping)
        {
            sink.Error(node, $"'pricing' in {section} must map model ids to prices, but it is {node.KindName}.");
            return (prices, null);
        }

        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (key, value) in mapping.Entries)
        {
            if (lines.TryGetValue(key.Value, out var firstLine))
            {
                sink.Error(key, $"Duplicate model '{key.Value}' in 'pricing' in {section} (first defined on line {firstLine}); keep one.");
                continue;
            }

            lines[key.Value] = key.Line;
            if (key.Value == UnknownModelKey && !allowUnknownModel)
            {
                sink.Error(key, $"'{UnknownModelKey}' may only be priced in _global.yaml, not in {section}.");
                continue;
            }

            var map = MappingReader.Open(value, $"the price of '{key.Value}' in {section}", sink, SchemaKeys.Price);
            if (map is null)
            {
                continue;
            }

            var errorsBefore = sink.ErrorCount;
            var prompt = map.Decimal("prompt", allowQuoted: true);
            var completion = map.Decimal("completion", allowQuoted: true);
            var maxCompletion = map.WholeNumber("max_completion_tokens", minimum: 1);
            var context = map.WholeNumber("context_length", minimum: 1);
            foreach (var required in (string[])["prompt", "completion"])
            {
                if (!map.Has(required))
                {
                    sink.Error(key, $"The price of '{key.Value}' in {section} has no '{required}' (USD per token).");
                }
            }

            if (maxCompletion > int.MaxValue || context > int.MaxValue)
            {
                sink.Error(key, $"Token limits of '{key.Value}' in {section} must be below {int.MaxValue}.");
            }

            if (sink.ErrorCount != errorsBefore || prompt is null || completion is null)
            {
                continue;
            }

            var price = new ModelPrice(prompt.Value, completion.Value, (int?)maxCompletion, (int?)context);
            if (key.Value == UnknownModelKey)
            {
                unknown = price;
            }
            else
            {
                prices[key.Value] = price;
            }
        }

        return (prices, unknown);
    }

    public static BudgetLimits Budgets(MappingReader map)
    {
        var limits = new BudgetLimits
        {
            DailyCapUsd = map.Decimal(BudgetLimitNames.DailyCapUsd),
            MonthlyCapUsd = map.Decimal(BudgetLimitNames.MonthlyCapUsd),
            DailyTokens = map.WholeNumber(BudgetLimitNames.DailyTokens),
            MonthlyTokens = map.WholeNumber(BudgetLimitNames.MonthlyTokens),
            DailyExecutions = map.WholeNumber(BudgetLimitNames.DailyExecutions),
            MonthlyExecutions = map.WholeNumber(BudgetLimitNames.MonthlyExecutions),
            MaxPerRequest = map.Decimal(BudgetLimitNames.MaxPerRequest),
            Enforcement = OneOf(map, "enforcement", EnforcementValues) switch
            {
                "none" => Enforcement.None,
                "soft" => Enforcement.Soft,
                "hard" => Enforcement.Hard,
                _ => null,
            },
            InheritGlobal = map.Bool("inherit_global"),
            AlertThresholds = Thresholds(map),
        };
        foreach (var (key, usd) in (ReadOnlySpan<(string, decimal?)>)[(BudgetLimitNames.DailyCapUsd, limits.DailyCapUsd), (BudgetLimitNames.MonthlyCapUsd, limits.MonthlyCapUsd), (BudgetLimitNames.MaxPerRequest, limits.MaxPerRequest)])
        {
            if (BudgetLimitsValidation.UsdMinimumProblem($"'{key}' in {map.Section}", usd) is { } problem)
            {
                map.Sink.Error(map.Node(key)!, problem);
            }
        }

        foreach (var pair in BudgetLimitsValidation.MonthlyBelowDaily(limits))
        {
            map.Sink.Error(map.Node(pair.MonthlyField)!, $"'{pair.MonthlyField}' ({pair.Monthly}) in {map.Section} is below '{pair.DailyField}' ({pair.Daily}); a month holds every day, so raise the monthly limit or lower the daily one.");
        }

        if (limits.MaxPerRequest > limits.DailyCapUsd && map.Node(BudgetLimitNames.MaxPerRequest) is { } maxNode)
        {
            map.Sink.Warning(maxNode, $"'{BudgetLimitNames.MaxPerRequest}' ({limits.MaxPerRequest}) in {map.Section} is above '{BudgetLimitNames.DailyCapUsd}' ({limits.DailyCapUsd}); such a request could never be granted.");
        }

        return limits;
    }

    /// <summary>
    /// Warns when merging a level with what it inherits yields a monthly limit below the daily one (each file on
    /// its own may be consistent, yet the combination makes the monthly limit the binding one every day).
    /// </summary>
    public static void CheckMergedOrder(BudgetLimits own, BudgetLimits parent, BudgetLimits global, YamlNode at, string section, ProblemSink sink)
    {
        foreach (var pair in BudgetLimitsValidation.MonthlyBelowDaily(BudgetLimitsMerge.Effective(own, parent, global)))
        {
            // Both values set at this level are already reported (as an error) where they are parsed.
            var ownMonthly = BudgetAccount.LimitOf(own, pair.Metric, BudgetPeriod.Month) is not null;
            var ownDaily = BudgetAccount.LimitOf(own, pair.Metric, BudgetPeriod.Day) is not null;
            if (ownMonthly != ownDaily)
            {
                sink.Warning(at, $"With inherited limits, the effective '{pair.MonthlyField}' ({pair.Monthly}) of {section} is below its effective '{pair.DailyField}' ({pair.Daily}); the monthly limit will bind first.");
            }
        }
    }

    /// <summary>
    /// Reads <c>alerts: { webhooks: [ { url, format } ] }</c>. A problem names the file and entry but never quotes a URL,
    /// which usually holds a secret.
    /// </summary>
    public static IReadOnlyList<AlertWebhook> AlertWebhooks(YamlNode node, string file, ProblemSink sink)
    {
        if (MappingReader.Open(node, $"'alerts' in {file}", sink, SchemaKeys.Alerts) is not { } alerts || alerts.Node("webhooks") is not { } list)
        {
            return [];
        }

        if (list is not YamlSequence sequence)
        {
            sink.Error(list, $"'alerts.webhooks' in {file} must be a list of {{url, format}} entries, but it is {list.KindName}.");
            return [];
        }

        var webhooks = new List<AlertWebhook>(sequence.Items.Count);
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var where = $"alerts.webhooks entry {i + 1} in {file}";
            if (MappingReader.Open(sequence.Items[i], $"'{where}'", sink, SchemaKeys.Webhook) is not { } entry)
            {
                continue;
            }

            if (AlertWebhook.TryCreate(entry.Text("url"), entry.Text("format"), out var webhook, out var error))
            {
                webhooks.Add(webhook!);
            }
            else
            {
                sink.Error(sequence.Items[i], $"The {where}: {error}.");
            }
        }

        return webhooks;
    }

    public static PolicySettings Policy(MappingReader map) => new()
    {
        RequestsPerMinute = map.WholeNumber("requests_per_minute", minimum: 1),
        TokensPerMinute = map.WholeNumber("tokens_per_minute", minimum: 1),
        MaxTokens = map.WholeNumber("max_tokens", minimum: 1),
        Downshift = map.Bool("downshift"),
        CacheTtlSeconds = map.WholeNumber("cache_ttl_seconds", minimum: 0),
        ReservationTtlSeconds = map.WholeNumber("reservation_ttl_seconds", minimum: 1),
    };

    private static List<decimal>? Thresholds(MappingReader map)
    {
        var node = map.Node("alert_thresholds");
        if (node is null)
        {
            return null;
        }

        if (node is not YamlSequence sequence)
        {
            map.Sink.Error(node, $"'alert_thresholds' in {map.Section} must be a list of percentages (for example [50, 80, 100]), but it is {node.KindName}.");
            return null;
        }

        var values = new List<decimal>();
        foreach (var item in sequence.Items)
        {
            var value = Numbers.NonNegativeDecimal(item, $"Each of 'alert_thresholds' in {map.Section}", map.Sink, allowQuoted: false);
            if (value is null)
            {
                continue;
            }

            if (value == 0)
            {
                map.Sink.Error(item, $"Alert thresholds in {map.Section} are percentages above 0, but one is 0.");
            }
            else if (values.Contains(value.Value))
            {
                map.Sink.Warning(item, $"Alert threshold {value} appears more than once in {map.Section}.");
            }
            else
            {
                values.Add(value.Value);
            }
        }

        values.Sort();
        return values;
    }

    private static string? OneOf(MappingReader map, string key, string[] allowed)
    {
        var text = map.Text(key);
        if (text is null)
        {
            return null;
        }

        if (Array.IndexOf(allowed, text) >= 0)
        {
            return text;
        }

        map.Sink.Error(map.Node(key)!, $"'{key}' in {map.Section} must be one of {string.Join(", ", allowed)}, but it is '{text}'{Suggest.DidYouMean(text, allowed)}.");
        return null;
    }
}
