import { NamespacePicker } from './namespace-picker.tsx';
import { TopBar } from './top-bar.tsx';

export default function Home() {
  return (
    <>
      <TopBar />
      <main id="main" className="page narrow">
        <h1>Choose a namespace</h1>
        <NamespacePicker />
      </main>
    </>
  );
}
