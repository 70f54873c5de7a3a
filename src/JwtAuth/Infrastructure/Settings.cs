using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace JwtAuth.Infrastructure;

/// <summary>Settings sections bound to options classes: validated when the host starts, and a key inside the
/// section that no property takes (a misspelling) stops start-up with a message naming it.</summary>
public static partial class Settings
{
    /// <summary>Options types and nested types, by full name, with the section path they are bound from.</summary>
    private static readonly ConcurrentDictionary<string, string> Sections = new(StringComparer.Ordinal);

    public static OptionsBuilder<TOptions> AddSettings<TOptions>(this IServiceCollection services, string section)
        where TOptions : class
    {
        Remember(typeof(TOptions), section, depth: 0);
        return services.AddOptions<TOptions>()
            .BindConfiguration(section, binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
    }

    public static OptionsBuilder<TOptions> AddSettings<TOptions, TValidator>(this IServiceCollection services, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        return services.AddSettings<TOptions>(section);
    }

    /// <summary>What is wrong with the settings, one line each, or nothing when the exception is not about settings:
    /// validation failures, values that cannot be converted (a bad TimeSpan or enum), and unknown keys.</summary>
    public static List<string> Problems(Exception exception) => exception switch
    {
        OptionsValidationException validation => [.. validation.Failures],
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(Problems).ToList(),
        InvalidOperationException conversion when conversion.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) =>
            [conversion.Message],
        InvalidOperationException unknown when UnknownKeys().Match(unknown.Message) is { Success: true } match =>
            [.. UnknownKeyProblems(match.Groups["type"].Value, match.Groups["keys"].Value)],
        _ => [],
    };

    private static IEnumerable<string> UnknownKeyProblems(string typeName, string keys)
    {
        var section = Sections.TryGetValue(typeName, out var known) ? known : typeName;
        foreach (var key in keys.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            yield return $"{section}:{key.Trim('\'')} is not a setting; check its spelling.";
        }
    }

    private static void Remember(Type type, string section, int depth)
    {
        if (depth > 3 || !Sections.TryAdd(type.FullName!, section))
        {
            return;
        }
        foreach (var property in type.GetProperties())
        {
            var propertyType = property.PropertyType;
            if (propertyType.IsGenericType && propertyType.GetGenericTypeDefinition() == typeof(List<>))
            {
                if (IsSettingsClass(propertyType.GetGenericArguments()[0]))
                {
                    Remember(propertyType.GetGenericArguments()[0], $"{section}:{property.Name}:N", depth + 1);
                }
            }
            else if (IsSettingsClass(propertyType))
            {
                Remember(propertyType, $"{section}:{property.Name}", depth + 1);
            }
        }
    }

    private static bool IsSettingsClass(Type type) => type.IsClass && type != typeof(string) && !type.IsArray && !type.IsGenericType;

    [GeneratedRegex(@"were not found on the instance of (?<type>[\w.+`]+): (?<keys>.+?)\.?$", RegexOptions.Singleline)]
    private static partial Regex UnknownKeys();
}
