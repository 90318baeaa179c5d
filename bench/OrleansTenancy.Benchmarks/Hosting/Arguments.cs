using System.Globalization;

namespace OrleansTenancy.Benchmarks.Hosting;

/// <summary><c>--name value</c> pairs after the mode word.</summary>
public sealed class Arguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    public Arguments(IEnumerable<string> args)
    {
        string? name = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                name = arg[2..];
                _values[name] = "true";
            }
            else if (name is not null)
            {
                _values[name] = arg;
                name = null;
            }
            else
            {
                throw new ArgumentException($"Unexpected argument '{arg}'; options are written '--name value'.");
            }
        }
    }

    public string Get(string name, string fallback) => _values.GetValueOrDefault(name, fallback);

    public int GetInt(string name, int fallback)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"--{name} '{text}' must be a positive whole number.");
    }
}
