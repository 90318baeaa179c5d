using System.Text.Json;
using OrleansTenancy.Tenancy.Registry.Parsing;
using OrleansTenancy.Tenancy.Registry.Yaml;

namespace OrleansTenancy.Tenancy.Budget;

/// <summary>
/// Reads budget limits sent as JSON (the admin API's runtime override) with the rules of <c>budgets.yaml</c>: the same
/// field names, unknown and repeated fields refused (with "did you mean"), numbers that must be JSON numbers (a quoted
/// <c>"5"</c> is refused, as in the YAML file), <c>enforcement</c> only as its name. A JSON <c>null</c> leaves a field unset.
/// </summary>
public static class BudgetLimitsJson
{
    /// <summary>The field names a body may hold: the keys of <c>budgets.yaml</c> without <c>pricing</c>.</summary>
    public static IReadOnlyList<string> Fields => SchemaKeys.Budget;

    /// <summary>Reads <paramref name="root"/>; on any problem returns <see langword="null"/> and adds one message per problem, each naming its field.</summary>
    /// <param name="root">The parsed body.</param>
    /// <param name="problems">Receives the problems: field name (or <c>body</c>) and message.</param>
    /// <returns>The limits, validated with <see cref="BudgetLimitsValidation"/>, or <see langword="null"/>.</returns>
    public static BudgetLimits? Read(JsonElement root, ICollection<KeyValuePair<string, string>> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (root.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new("body", $"The body must be a JSON object of budget fields, for example {{\"daily_cap_usd\": 10, \"enforcement\": \"hard\"}}, but it is {Kind(root)}."));
            return null;
        }

        var before = problems.Count;
        var limits = ReadFields(root, string.Empty, problems);
        if (problems.Count > before)
        {
            return null;
        }

        foreach (var problem in BudgetLimitsValidation.Problems(limits))
        {
            problems.Add(new("body", problem));
        }

        return problems.Count > before ? null : limits;
    }

    /// <summary>
    /// The budget fields of the object <paramref name="root"/>, without the cross-field checks; each problem is keyed by
    /// its field name after <paramref name="prefix"/> (<c>limits.</c> when the limits are a member of a larger body).
    /// </summary>
    internal static BudgetLimits ReadFields(JsonElement root, string prefix, ICollection<KeyValuePair<string, string>> problems)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var limits = new BudgetLimits();
        foreach (var property in root.EnumerateObject())
        {
            var name = property.Name;
            if (!seen.Add(name))
            {
                problems.Add(new(prefix + name, $"Field '{prefix}{name}' appears more than once; send it once."));
                continue;
            }

            if (!SchemaKeys.Budget.Contains(name, StringComparer.Ordinal))
            {
                problems.Add(new(prefix + name, $"Unknown field '{prefix}{name}'{Suggest.DidYouMean(name, SchemaKeys.Budget)}; the fields are those of budgets.yaml: {string.Join(", ", SchemaKeys.Budget)}."));
                continue;
            }

            limits = ReadField(limits, name, property.Value, problems, prefix);
        }

        return limits;
    }

    /// <summary><paramref name="limits"/> with the budget field <paramref name="name"/> read from <paramref name="value"/> (a JSON <c>null</c> leaves it unset).</summary>
    internal static BudgetLimits ReadField(BudgetLimits limits, string name, JsonElement value, ICollection<KeyValuePair<string, string>> problems, string prefix = "")
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return limits;
        }

        var key = prefix + name;
        return name switch
        {
            "daily_cap_usd" => limits with { DailyCapUsd = Usd(key, value, problems) },
            "monthly_cap_usd" => limits with { MonthlyCapUsd = Usd(key, value, problems) },
            "max_per_request" => limits with { MaxPerRequest = Usd(key, value, problems) },
            "daily_tokens" => limits with { DailyTokens = Count(key, value, problems) },
            "monthly_tokens" => limits with { MonthlyTokens = Count(key, value, problems) },
            "daily_executions" => limits with { DailyExecutions = Count(key, value, problems) },
            "monthly_executions" => limits with { MonthlyExecutions = Count(key, value, problems) },
            "enforcement" => limits with { Enforcement = EnforcementOf(key, value, problems) },
            "inherit_global" => limits with { InheritGlobal = Flag(key, value, problems) },
            _ => limits with { AlertThresholds = Thresholds(key, value, problems) },
        };
    }

    private static decimal? Usd(string name, JsonElement value, ICollection<KeyValuePair<string, string>> problems)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            problems.Add(new(name, $"'{name}' must be a JSON number of USD (write 5, not \"5\"), but it is {Kind(value)}."));
            return null;
        }

        if (!value.TryGetDecimal(out var usd))
        {
            problems.Add(new(name, $"'{name}' is out of range ({value.GetRawText()}); use a finite number of USD."));
            return null;
        }

        return usd;
    }

    private static long? Count(string name, JsonElement value, ICollection<KeyValuePair<string, string>> problems)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var count) && count >= 0)
        {
            return count;
        }

        problems.Add(new(name, $"'{name}' must be a whole number from 0 to {long.MaxValue}, but it is {(value.ValueKind == JsonValueKind.Number ? value.GetRawText() : Kind(value))}."));
        return null;
    }

    private static Enforcement? EnforcementOf(string name, JsonElement value, ICollection<KeyValuePair<string, string>> problems)
    {
        var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        switch (text)
        {
            case "none":
                return Enforcement.None;
            case "soft":
                return Enforcement.Soft;
            case "hard":
                return Enforcement.Hard;
        }

        string[] allowed = ["none", "soft", "hard"];
        problems.Add(new(name, text is null
            ? $"'{name}' must be one of none, soft or hard, as text, but it is {Kind(value)}."
            : $"'{name}' must be one of none, soft or hard, but it is '{text}'{Suggest.DidYouMean(text, allowed)}."));
        return null;
    }

    private static bool? Flag(string name, JsonElement value, ICollection<KeyValuePair<string, string>> problems)
    {
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        problems.Add(new(name, $"'{name}' must be true or false, but it is {Kind(value)}."));
        return null;
    }

    private static List<decimal>? Thresholds(string name, JsonElement value, ICollection<KeyValuePair<string, string>> problems)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            problems.Add(new(name, $"'{name}' must be a list of percentages, for example [50, 80, 100], but it is {Kind(value)}."));
            return null;
        }

        var thresholds = new List<decimal>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetDecimal(out var threshold))
            {
                problems.Add(new(name, $"Each of '{name}' must be a number of percent, but one is {Kind(item)}."));
                return null;
            }

            thresholds.Add(threshold);
        }

        thresholds.Sort();
        return thresholds;
    }

    /// <summary>What a JSON value is, in words, for messages.</summary>
    internal static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "text",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true/false",
        _ => "null",
    };
}
