/**
 * Whether what the user typed confirms a dangerous action on `name` (delete, destroy): the name
 * exactly, case and spaces included, and never an empty name.
 */
export function typedConfirmationMatches(typed: string, name: string): boolean {
  return name !== '' && typed === name;
}
