// The page's stylesheet is embedded in the binary as text (see assets.ts).
declare module "*.css" {
  const text: string;
  export default text;
}
