/** Every label and description the designer sees exists in English and German. */
export interface Label {
  default: string;
  deDE: string;
}

export function label(english: string, german: string): Label {
  return { default: english, deDE: german };
}
